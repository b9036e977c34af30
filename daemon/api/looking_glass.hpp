// The looking glass: a read-only web page served from the API port (GET /lg; / redirects to it), whose
// JavaScript reads the REST API from the browser — peers and their state, routes per peer with search by
// prefix, a prefix's ECMP set and why, a VM's effective routes, the convergence history as a plot
// (docs/user-guide.md, "Looking glass"). The page, its script and its style are files under
// daemon/api/looking_glass/ compiled into the binary (cmake/EmbedFiles.cmake): nothing is fetched from
// anywhere else, and the Content-Security-Policy sent with them says so to the browser.
//
// The page and its assets hold no data and are served without the API token; every data request the
// page makes goes through the API with the token rules of docs/api.md.
#pragma once

#include <optional>

#include "daemon/api/server.hpp"

namespace rf::api {

// The answer for a looking-glass path ("/", "/lg", "/lg/", "/lg/lg.js", "/lg/lg.css"; a query string is
// ignored), or nullopt when `request` is for anything else. Other methods than GET are refused (405).
[[nodiscard]] std::optional<HttpResponse> looking_glass(const HttpRequest& request);

}  // namespace rf::api
