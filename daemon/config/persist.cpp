// Atomic persistence: a crash (kill -9, power loss) at any instant leaves either the old or the new file,
// never a mix. The temporary file lives in the target's directory so rename() stays inside one file system
// (rename is atomic only there); fsync(file) before rename makes the new content durable before it
// becomes visible, fsync(directory) after makes the rename itself durable.
//
// The content may hold MD5 passwords and the API token, so the temporary file must not outlive a crash:
// it is created without a name (O_TMPFILE) and linked as `<file>.tmp.<pid>` only once it is complete,
// just before the rename, and every write first removes the `<file>.tmp.<pid>` files of processes that
// no longer exist. File systems without O_TMPFILE get a named file from the start (O_EXCL, mode 0600).
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
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

std::string file_name_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The writer's pid in a `<file>.tmp.<pid>` name, or 0 when `entry` is not such a name.
pid_t temp_file_owner(std::string_view entry, std::string_view prefix) {
    if (entry.size() <= prefix.size() || entry.substr(0, prefix.size()) != prefix) {
        return 0;
    }
    const std::string_view digits = entry.substr(prefix.size());
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
        return 0;
    }
    return static_cast<pid_t>(std::stol(std::string(digits)));
}

// Removes the temporary files of writers that died before their rename; a live writer's file (another
// process that still runs, this one included) is left alone.
void remove_stale_temp_files(const std::string& path) {
    const std::string dir = directory_of(path);
    const std::string prefix = file_name_of(path) + ".tmp.";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return;  // the write reports what is wrong with the directory
    }
    while (const dirent* e = ::readdir(d)) {
        const pid_t owner = temp_file_owner(e->d_name, prefix);
        if (owner > 0 && owner != ::getpid() && ::kill(owner, 0) != 0 && errno == ESRCH) {
            ::unlinkat(::dirfd(d), e->d_name, 0);
        }
    }
    ::closedir(d);
}

// An open file that becomes `name` when published: anonymous (O_TMPFILE) where the file system allows.
struct TempFile {
    int fd = -1;
    bool anonymous = false;
};

std::optional<TempFile> create_temp_file(const std::string& dir, const std::string& name,
                                         std::string& error) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        return TempFile{fd, true};
    }
    if (errno != EOPNOTSUPP && errno != EISDIR) {  // EISDIR: a kernel that predates O_TMPFILE
        error = sys_error("cannot create", name);
        return std::nullopt;
    }
    ::unlink(name.c_str());  // this pid's own leftover from a crash
    fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = sys_error("cannot create", name);
        return std::nullopt;
    }
    return TempFile{fd, false};
}

// Gives an anonymous file its name (a leftover of the same name, from a crash of an earlier process
// with this pid, is replaced).
bool link_temp_file(int fd, const std::string& name) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
            ::linkat(fd, "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH) == 0) {
            return true;
        }
        if (errno != EEXIST) {
            return false;
        }
        ::unlink(name.c_str());
    }
    return false;
}

bool write_all(int fd, std::string_view content) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view content) {
    remove_stale_temp_files(path);
    const std::string dir = directory_of(path);
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    std::string err;
    const auto file = create_temp_file(dir, tmp, err);
    if (!file) {
        return err;
    }
    // On failure: the error of the step that failed, then no file left behind.
    const auto fail = [&](const std::string& what, const std::string& subject) {
        std::string e = sys_error(what, subject);
        ::close(file->fd);
        ::unlink(tmp.c_str());
        return e;
    };
    if (!write_all(file->fd, content)) {
        return fail("cannot write", tmp);
    }
    if (::fsync(file->fd) != 0) {
        return fail("cannot fsync", tmp);
    }
    if (file->anonymous && !link_temp_file(file->fd, tmp)) {
        return fail("cannot link", tmp);
    }
    if (::close(file->fd) != 0) {
        std::string e = sys_error("cannot close", tmp);
        ::unlink(tmp.c_str());
        return e;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string e = sys_error("cannot rename " + tmp + " to", path);
        ::unlink(tmp.c_str());
        return e;
    }
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
