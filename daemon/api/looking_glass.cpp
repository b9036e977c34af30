#include "daemon/api/looking_glass.hpp"

#include <string>
#include <string_view>

#include "daemon/api/json.hpp"

namespace rf::api {

// The embedded files (generated from daemon/api/looking_glass/ by cmake/EmbedFiles.cmake).
extern const std::string_view kLookingGlassHtml;
extern const std::string_view kLookingGlassJs;
extern const std::string_view kLookingGlassCss;

namespace {

// Only this origin's script, style and API; no frames, forms, plugins or base rewrites.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

HttpResponse asset(std::string_view content_type, std::string_view body) {
    HttpResponse r{200, std::string(content_type), std::string(body)};
    r.headers = {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"},
                 {"Cache-Control", "no-cache"}};
    return r;
}

}  // namespace

std::optional<HttpResponse> looking_glass(const HttpRequest& request) {
    std::string_view path = request.target;
    if (const auto q = path.find_first_of("?#"); q != std::string_view::npos) {
        path = path.substr(0, q);
    }
    std::optional<HttpResponse> r;
    if (path == "/") {
        r = HttpResponse{302, "text/plain; charset=utf-8", "the looking glass is at /lg\n"};
        r->headers = {{"Location", "/lg"}};
    } else if (path == "/lg" || path == "/lg/") {
        r = asset("text/html; charset=utf-8", kLookingGlassHtml);
    } else if (path == "/lg/lg.js") {
        r = asset("text/javascript; charset=utf-8", kLookingGlassJs);
    } else if (path == "/lg/lg.css") {
        r = asset("text/css; charset=utf-8", kLookingGlassCss);
    } else {
        return std::nullopt;
    }
    if (request.method != "GET") {
        const ApiError e{ErrorCode::MethodNotAllowed,
                         request.method + " is not allowed on " + std::string(path) +
                             "; the looking glass is read-only: use GET",
                         ""};
        return HttpResponse{http_status(e.code), "application/json",
                            to_json(e).dump(2, ' ', false, Json::error_handler_t::replace) + "\n"};
    }
    return r;
}

}  // namespace rf::api
