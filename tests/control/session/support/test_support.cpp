#include "tests/control/session/support/test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace rf::testing {

TempDir::TempDir(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/" + prefix + "-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = buf.data();
}

TempDir::~TempDir() {
    if (std::getenv("RF_KEEP_TMP") == nullptr) {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
}

std::string loopback(int host) {
    const unsigned p = static_cast<unsigned>(::getpid());
    return "127." + std::to_string(100 + (p / 250) % 100) + "." + std::to_string(p % 250) + "." +
           std::to_string(host);
}

std::uint16_t free_port(const std::string& address) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &sin.sin_addr);
    sin.sin_port = 0;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0) {
        socklen_t len = sizeof sin;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
        port = ntohs(sin.sin_port);
    }
    ::close(fd);
    return port;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= end) {
            return pred();
        }
        std::this_thread::sleep_for(step);
    }
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool have_executable(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

std::string find_executable(const std::vector<std::string>& candidates) {
    for (const auto& c : candidates) {
        if (have_executable(c)) {
            return c;
        }
    }
    return {};
}

Process::~Process() {
    stop();
}

bool Process::start(const std::vector<std::string>& argv, const std::string& log_path,
                    const std::map<std::string, std::string>& env, const std::string& cwd) {
    log_ = log_path;
    const pid_t pid = ::fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        // If the test binary dies (ctest timeout, crash), its daemons die with it instead of lingering.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::setpgid(0, 0);
        const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::close(devnull);
        }
        // The daemon inherits none of the test's sockets: a route server's listening socket held open by
        // an NVA would keep its port busy after the route server is gone (a restart test binds it again).
        ::close_range(3, ~0U, 0);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
            ::_exit(126);
        }
        for (const auto& [k, v] : env) {
            ::setenv(k.c_str(), v.c_str(), 1);
        }
        std::vector<char*> args;
        for (const auto& a : argv) {
            args.push_back(const_cast<char*>(a.c_str()));  // NOLINT: execv's signature
        }
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    pid_ = pid;
    return true;
}

bool Process::running() {
    if (pid_ <= 0) {
        return false;
    }
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        pid_ = -1;
        return false;
    }
    return true;
}

void Process::signal(int signo) const {
    if (pid_ > 0) {
        ::kill(pid_, signo);
    }
}

void Process::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) {
        return;
    }
    ::kill(pid_, SIGCONT);  // a frozen (SIGSTOP) child must be able to act on SIGTERM
    ::kill(pid_, SIGTERM);
    if (!wait_until([this] { return !running(); }, grace, 20ms)) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        status_ = st;
        pid_ = -1;
    }
}

std::string run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    char tmpl[] = "/tmp/rf-capture-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) {
        return {};
    }
    ::close(fd);
    std::string out;
    {
        Process p;
        if (!p.start(argv, tmpl)) {
            ::unlink(tmpl);
            return {};
        }
        if (!wait_until([&p] { return !p.running(); }, timeout, 10ms)) {
            p.stop(200ms);
        }
    }
    out = read_file(tmpl);
    ::unlink(tmpl);
    return out;
}

long long json_number(const std::string& json, const std::string& key) {
    const auto k = json.find("\"" + key + "\"");
    if (k == std::string::npos) {
        return -1;
    }
    auto p = json.find(':', k + key.size() + 2);
    if (p == std::string::npos) {
        return -1;
    }
    ++p;
    while (p < json.size() && json[p] == ' ') {
        ++p;
    }
    return std::strtoll(json.c_str() + p, nullptr, 10);
}

}  // namespace rf::testing
