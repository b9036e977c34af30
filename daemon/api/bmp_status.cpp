// DaemonBackend's view of the BMP exporter (GET /api/v1/bmp): the collectors' state and counters, read
// through the function the daemon gave (the exporter's status() is safe from the API thread).
#include "daemon/api/daemon_backend.hpp"

namespace rf::api {

Result<BmpCollectors, ApiError> DaemonBackend::bmp_collectors() {
    return bmp_status_ ? bmp_status_() : BmpCollectors{};
}

}  // namespace rf::api
