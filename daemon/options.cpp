#include "daemon/options.hpp"

#include "daemon/config/config.hpp"
#include "daemon/forwarding/forwarding.hpp"
#include "dataplane/command_line.hpp"

namespace rf::daemon {

namespace {

// The layout is read by scripts/packaging/render_man.py: "usage:" lines, a description paragraph, then
// sections whose heading ends with ':' and whose items start two spaces in, the description two or more
// spaces after the item (continuation lines indented further).
constexpr std::string_view kUsage = R"(usage: routefabricd [OPTIONS] [--config] FILE [-- EAL ARGS...]
       routefabricd --check-config [--config] FILE
       routefabricd --help | --version | --dump-schema

routefabricd is the routefabric BGP route server: it peers with the NVAs like Azure Route Server,
reflects their routes to each other, advertises the modelled VNet address spaces, computes the
effective routes of every VM into a FIB and, optionally, forwards emulated traffic through it with
the DPDK host emulator. It reads one YAML file (routefabric.yaml(5)) and serves a REST API that
rfctl(1) uses.

options:
  -c, --config FILE   the configuration file; the first word that is not an option is taken as FILE too
  --check-config, --check
                      validate FILE, print a one-line summary and exit (0 valid, 1 invalid)
  --emulator          run the DPDK host emulator (default: emulator.enabled of the file)
  --no-emulator       do not run the emulator, whatever the file says
  --fib               build the FIB even without virtual_network or the emulator (default lab VNet model)
  --no-fib            route server only: no FIB, no emulator; refused together with --emulator
  --workers N         emulator worker lcores, 1-999 (default: emulator.workers)
  --log-level LEVEL   trace, debug, info, warn or error (default: info); logs go to stderr
  --log-format FORMAT
                      text (default) or json: one JSON object per line with the keys time, level,
                      event, peer, reason and message, then the event's own fields (for Loki, ELK)
  --graceful-restart  this start is a restart of routefabricd (after a crash or an upgrade): peers that
                      negotiate graceful restart (RFC 4724) see the Restart State bit and keep our routes
                      while nothing is advertised, until every peer has sent its End-of-RIB (at most
                      360 s); then every peer gets its whole table and End-of-RIB
  --eal "ARGS"        DPDK EAL arguments in one word, the same as ARGS after "--"
  -h, --help          print this help and exit
  --version           print the version and the forwarding module the daemon would load, and exit
  --dump-schema       print every configuration key (key, type, default, meaning; tab-separated) and exit
  -- EAL ARGS...      everything after a bare "--" goes to the DPDK EAL (bare metal: -l CORES, -a PCI,
                      hugepages); it replaces the lab defaults (no hugepages, no PCI, virtual ports)

exit status:
  0   clean shutdown (SIGINT, SIGTERM), a valid configuration, or --help, --version, --dump-schema
  1   invalid configuration, or a start-up failure (address in use, forwarding module missing)
  2   usage error: unknown option, missing or bad option value

signals:
  SIGHUP    re-read FILE and apply its peers; an invalid file changes nothing (errors are logged)
  SIGTERM   send Cease / Administrative Shutdown to every peer and exit (SIGINT too)

environment:
  RF_FORWARDING_MODULE   path of the forwarding module (default: found relative to the daemon)

files:
  /etc/routefabric/routefabric.yaml   the configuration; rewritten on runtime peering changes (rfctl)
)";

bool is_log_level(const std::string& level) {
    for (const char* known : {"trace", "debug", "info", "warn", "error"}) {
        if (level == known) {
            return true;
        }
    }
    return false;
}

// A usage error: what is wrong, then the usage, on stderr; exit status 2.
Unexpected<int> usage_error(const std::string& message) {
    std::fprintf(stderr, "routefabricd: %s\n\n", message.c_str());
    print_usage(stderr);
    return unexpected(2);
}

}  // namespace

std::string_view usage_text() {
    return kUsage;
}

void print_usage(std::FILE* to) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), to);
}

void print_version() {
    std::printf("routefabricd %s\nforwarding module: %s\n", RF_VERSION, describe_forwarding_module().c_str());
}

void print_schema() {
    for (const config::KeyInfo& k : config::schema()) {
        std::printf("%.*s\t%.*s\t%.*s\t%.*s\n", static_cast<int>(k.path.size()), k.path.data(),
                    static_cast<int>(k.type.size()), k.type.data(), static_cast<int>(k.default_value.size()),
                    k.default_value.data(), static_cast<int>(k.description.size()), k.description.data());
    }
}

Result<Options, int> parse_options(int argc, char** argv) {
    std::string error;
    auto cl = dataplane::split_command_line(argc, argv, &error);
    if (!cl) {
        return usage_error(error);
    }
    Options o;
    o.eal_args = std::move(cl->eal);
    const auto& args = cl->app;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool has_value = i + 1 < args.size();
        const bool takes_value =
            a == "--workers" || a == "--log-level" || a == "--log-format" || a == "-c" || a == "--config";
        if (takes_value && !has_value) {
            return usage_error(a + " needs a value");
        }
        if (a == "--check" || a == "--check-config") {
            o.command = Command::CheckConfig;
        } else if (a == "-h" || a == "--help") {
            o.command = Command::PrintUsage;
            return o;
        } else if (a == "--version") {
            o.command = Command::PrintVersion;
            return o;
        } else if (a == "--dump-schema") {
            o.command = Command::DumpSchema;
            return o;
        } else if (a == "--emulator" || a == "--no-emulator") {
            o.emulator = a == "--emulator";
        } else if (a == "--graceful-restart") {
            o.graceful_restart = true;
        } else if (a == "--fib" || a == "--no-fib") {
            o.fib = a == "--fib";
        } else if (a == "--workers") {
            const std::string& v = args[++i];
            if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos ||
                std::stoul(v) == 0) {
                return usage_error("--workers needs a number 1-999, got '" + v + "'");
            }
            o.workers = static_cast<std::uint32_t>(std::stoul(v));
        } else if (a == "--log-level") {
            o.log_level = args[++i];
            if (!is_log_level(o.log_level)) {
                return usage_error("--log-level takes trace, debug, info, warn or error, got '" +
                                   o.log_level + "'");
            }
        } else if (a == "--log-format") {
            o.log_format = args[++i];
            if (o.log_format != "text" && o.log_format != "json") {
                return usage_error("--log-format takes text or json, got '" + o.log_format + "'");
            }
        } else if (a == "-c" || a == "--config") {
            if (!o.config_path.empty()) {
                return usage_error("more than one configuration file: '" + o.config_path + "' and '" +
                                   args[i + 1] + "'");
            }
            o.config_path = args[++i];
        } else if (a.starts_with("-")) {
            return usage_error("unknown option '" + a + "'");
        } else if (o.config_path.empty()) {
            o.config_path = a;
        } else {
            return usage_error("more than one configuration file: '" + o.config_path + "' and '" + a + "'");
        }
    }
    if (o.config_path.empty()) {
        return usage_error("no configuration file given");
    }
    return o;
}

}  // namespace rf::daemon
