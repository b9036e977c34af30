// Atomic persistence: a crash (kill -9, power loss) at any instant leaves either the old or the new file,
// never a mix. The temporary file lives in the target's directory so rename() stays inside one file system
// (rename is atomic only there); fsync(file) before rename makes the new content durable before it
// becomes visible, fsync(directory) after makes the rename itself durable.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "daemon/config/config.hpp"

namespace rf::config {
namespace {

std::string sys_error(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view content) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return sys_error("cannot create", tmp);
    }
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            std::string err = sys_error("cannot write", tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            return err;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        std::string err = sys_error("cannot fsync", tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return err;
    }
    if (::close(fd) != 0) {
        std::string err = sys_error("cannot close", tmp);
        ::unlink(tmp.c_str());
        return err;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = sys_error("cannot rename " + tmp + " to", path);
        ::unlink(tmp.c_str());
        return err;
    }
    const std::string dir = directory_of(path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        return sys_error("cannot open directory", dir);
    }
    const int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) {
        return sys_error("cannot fsync directory", dir);
    }
    return std::nullopt;
}

std::optional<std::string> save_file(const std::string& path, const Config& config) {
    return write_file_atomically(path, to_yaml(config));
}

}  // namespace rf::config
