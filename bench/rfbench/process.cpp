#include "bench/rfbench/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

namespace rf::bench {

namespace {

std::string errno_text(int e) {
    return std::generic_category().message(e);
}

std::uint64_t status_kib(const std::string& status, const std::string& key) {
    const auto pos = status.find(key + ":");
    if (pos == std::string::npos)
        return 0;
    return std::strtoull(status.c_str() + pos + key.size() + 1, nullptr, 10);
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    for (const auto& a : argv)
        out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

// Parent PID and utime + stime (seconds) from /proc/PID/stat; false when the process is gone.
bool read_stat(pid_t pid, pid_t& ppid, double& cpu_seconds) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 > stat.size())
        return false;
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    ppid = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {  // field 3 is the state
        if (i == 4)
            ppid = static_cast<pid_t>(std::strtol(field.c_str(), nullptr, 10));
        if (i == 14)
            utime = std::strtoull(field.c_str(), nullptr, 10);
        if (i == 15)
            stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    const long ticks = ::sysconf(_SC_CLK_TCK);
    cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
    return true;
}

}  // namespace

ProcSample sample_process(pid_t pid) {
    ProcSample s;
    const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
    pid_t ppid = 0;
    if (status.empty() || !read_stat(pid, ppid, s.cpu_seconds))
        return s;
    s.peak_rss_kib = status_kib(status, "VmHWM");
    s.rss_kib = status_kib(status, "VmRSS");
    s.processes = 1;
    s.valid = true;
    return s;
}

ProcSample sample_process_tree(pid_t root) {
    ProcSample total = sample_process(root);
    if (!total.valid)
        return total;
    // Parent of every process on the machine, then the descendants of `root` breadth first.
    std::vector<std::pair<pid_t, pid_t>> parent_of;  // (pid, ppid)
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const auto pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
        pid_t ppid = 0;
        double cpu = 0;
        if (pid != root && read_stat(pid, ppid, cpu))
            parent_of.emplace_back(pid, ppid);
    }
    std::vector<pid_t> frontier{root};
    while (!frontier.empty()) {
        const pid_t parent = frontier.back();
        frontier.pop_back();
        for (const auto& [pid, ppid] : parent_of) {
            if (ppid != parent)
                continue;
            frontier.push_back(pid);
            const ProcSample child = sample_process(pid);
            if (!child.valid)
                continue;  // exited meanwhile
            total.peak_rss_kib += child.peak_rss_kib;
            total.rss_kib += child.rss_kib;
            total.cpu_seconds += child.cpu_seconds;
            total.processes += child.processes;
        }
    }
    return total;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0)
        stop();
}

bool ChildProcess::start(const std::vector<std::string>& argv, const std::string& log_path,
                         std::string& error) {
    if (argv.empty()) {
        error = "empty command";
        return false;
    }
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) {
        error = "open " + log_path + ": " + errno_text(errno);
        return false;
    }
    auto args = c_argv(argv);
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string("fork: ") + errno_text(errno);
        ::close(log);
        return false;
    }
    if (pid == 0) {
        ::setpgid(0, 0);  // its own group: a terminal ^C to rfbench does not reach it first
        ::dup2(log, 1);
        ::dup2(log, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            ::dup2(devnull, 0);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], errno_text(errno).c_str());
        ::_exit(127);
    }
    ::close(log);
    pid_ = pid;
    exit_.clear();
    return true;
}

bool ChildProcess::running() {
    if (pid_ <= 0)
        return false;
    // Look without reaping: while the exited child is a zombie its PID (= its process group, see start())
    // cannot be reused, so the group kill below reaches only processes it started.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0)
        return true;
    ::kill(-pid_, SIGKILL);  // workers that outlived it (a daemon's forked processes)
    int status = 0;
    if (::waitpid(pid_, &status, 0) == pid_) {
        exit_ = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                  : "killed by signal " + std::to_string(WTERMSIG(status));
    }
    pid_ = -1;
    return false;
}

std::string ChildProcess::stop(Nanos grace) {
    if (!running())
        return exit_;
    ::kill(pid_, SIGTERM);  // the daemon shuts its workers down itself
    const Nanos deadline = now_ns() + grace;
    while (now_ns() < deadline) {
        if (!running())
            return exit_;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
        ::kill(-pid_, SIGKILL);  // the child and every process of its group
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exit_ = "killed (SIGKILL after SIGTERM timeout)";
        pid_ = -1;
    }
    return exit_;
}

bool tcp_listening(std::uint16_t port) {
    for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(file);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream ls(line);
            std::string slot;
            std::string local;
            std::string remote;
            std::string state;
            ls >> slot >> local >> remote >> state;
            const auto colon = local.rfind(':');
            if (colon == std::string::npos || state != "0A")
                continue;
            if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port)
                return true;
        }
    }
    return false;
}

std::uint16_t free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    socklen_t len = sizeof sa;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
        port = ntohs(sa.sin_port);
    ::close(fd);
    return port;
}

std::optional<std::string> find_executable(const std::vector<std::string>& candidates) {
    for (const auto& c : candidates) {
        if (c.find('/') != std::string::npos) {
            if (::access(c.c_str(), X_OK) == 0)
                return c;
            continue;
        }
        const char* path = std::getenv("PATH");
        std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
        dirs += ":/usr/sbin:/sbin:/usr/local/sbin";
        std::istringstream ss(dirs);
        std::string dir;
        while (std::getline(ss, dir, ':')) {
            const std::string full = dir + "/" + c;
            if (!dir.empty() && ::access(full.c_str(), X_OK) == 0)
                return full;
        }
    }
    return std::nullopt;
}

std::string capture_output(const std::vector<std::string>& argv, Nanos timeout) {
    int fds[2];
    if (argv.empty() || ::pipe2(fds, O_CLOEXEC) != 0)
        return {};
    auto args = c_argv(argv);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return {};
    }
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    std::string out;
    const Nanos deadline = now_ns() + timeout;
    std::array<char, 4096> buf{};
    for (;;) {
        const ssize_t n = ::read(fds[0], buf.data(), buf.size());
        if (n > 0) {
            out.append(buf.data(), static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0)
            break;
        if (now_ns() > deadline) {
            ::kill(pid, SIGKILL);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return out;
}

std::string make_temp_dir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr)
        return {};
    ::chmod(buf.data(), 0755);  // daemons that drop privileges (FRR) must reach their files
    return std::string(buf.data());
}

bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void remove_tree(const std::string& dir) {
    std::error_code ec;
    if (!dir.empty())
        std::filesystem::remove_all(dir, ec);
}

}  // namespace rf::bench
