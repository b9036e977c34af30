// rfbench: convergence, churn and route-limit benchmarks for any BGP speaker. See docs/benchmarks.md.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/rfbench/process.hpp"
#include "bench/rfbench/provenance.hpp"
#include "bench/rfbench/report.hpp"
#include "bench/rfbench/scenario.hpp"
#include "bench/rfbench/target.hpp"

namespace {

using namespace rf::bench;

constexpr const char* kUsage = R"(usage: rfbench [options]

Emulates N BGP peers (each with its own source address and ASN) and a monitor peer against a route server
("target"), which rfbench configures, starts and stops itself (or an already running one with --no-spawn).

Scenarios and load
  --scenario LIST         bringup,ingest,failover,churn,route-limit,peer-count or all   [ingest]
  --targets LIST          routefabricd,bird,frr,gobgp (same scenario against each)      [bird]
  --peers N               emulated peers                                                [8]
  --prefixes K            prefixes per peer                                             [1000]
  --sizes NxK,...         several sizes in one run (overrides --peers/--prefixes)
  --overlap MODE          disjoint (every prefix from one peer) | shared (all peers announce the same K)
  --path-lengths L,...    AS-path length per peer, cycled (shared: shortest wins, equal = ECMP)
  --timeout S             bound of every convergence wait                               [120]
  --settle S              quiet time after bring-up before the clock starts             [0.5]
  --hold-time S           hold time offered by the peers and configured on the target   [90]
  --failover-mode M       abort (TCP RST) | notification (Cease) | hold (silence)      [abort]
  --failover-hold S       hold time of the failover pair                                [3]
  --churn-prefixes M      prefixes churned                                              [1000]
  --churn-rate R          withdraw/re-announce events per second                        [500]
  --churn-seconds T       churn duration                                                [10]
  --route-limit L         per-peer route limit configured on the target                 [100]
  --route-limit-excess E  prefixes sent beyond the limit                                [5]
  --idle-hold S           target's idle-hold before a limited peer may come back       [2]
  --comeback-timeout S    how long the limited peer keeps reconnecting (0: skip)       [30]
  --peer-limit P          peer-count: configured peers                                  [4]
  --extra-peers E         peer-count: unconfigured peers that try to connect           [2]

Replay of an MRT file (scenario "replay"; RFC 6396 TABLE_DUMP_V2 + BGP4MP/BGP4MP_ET, e.g. RouteViews/RIS)
  --replay FILE           one emulated peer per peer of FILE (its ASN, AS paths and attributes; next hop
                          rewritten to the emulated peer's); the RIB dump first, then the UPDATEs;
                          IPv4 unicast only (IPv6 routes are counted and left out)
  --replay-pace P         asap | recorded (the UPDATEs at the file's timestamps)      [asap]
  --replay-speed F        recorded pace F times faster                                  [1]
  --replay-peers LIST     only these peers of the file, by address ("A,B,..."); emulated peer i is the
                          i-th of them in file order                       [every peer with routes]
  --monitor-table FILE    write the monitor's final table: prefix, file peer, ASN per line

Addresses (bare metal: nothing assumes loopback)
  --target-addr A         where the target listens                                      [127.0.0.1]
  --target-port P         its BGP port                                   [free port; 179 with --no-spawn]
  --target-asn N          its ASN (checked in its OPEN; 0 = do not check)                [65515]
  --local-addrs LIST      source address of peer i: "A-B,C,..."          [127.0.0.10 + i]
  --monitor-addr A        source address of the monitor                                 [127.0.0.2]
  --interface DEV         bind every session to DEV (SO_BINDTODEVICE)
  --no-spawn              target already running (remote route server, lab switch)
  --print-config TARGET   print the config rfbench would generate for TARGET and exit

Output
  --json FILE             JSON lines to FILE instead of stdout
  --plot DIR              gnuplot data, scripts, PNG and SVG into DIR
  --markdown FILE         the table as Markdown into FILE
  --quiet                 no table
  --keep-dirs             keep the targets' temp dirs (configs, logs)
  --verbose
  --bird PATH | --frr PATH | --gobgp PATH | --routefabricd PATH   daemon executables
  --max-load T=N,...      skip target T where peers x prefixes > N (e.g. gobgp=80000: GoBGP sends
                          one prefix per UPDATE and would take hours at 64x20000); reported as skipped
  --list-targets          targets, versions and what each needs
)";

struct Args {
    ScenarioOptions opts;
    std::vector<std::string> scenarios{"ingest"};
    std::vector<std::string> targets{"bird"};
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sizes;
    std::string json_file;
    std::string plot_dir;
    std::string markdown_file;
    std::string print_config;
    bool quiet = false;
    bool no_spawn = false;
    bool list_targets = false;
    std::map<std::string, std::string> binaries;
    std::map<std::string, std::uint64_t> max_load;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, sep))
        if (!item.empty())
            out.push_back(item);
    return out;
}

[[noreturn]] void usage_error(const std::string& msg) {
    std::fprintf(stderr, "rfbench: %s\n(rfbench --help for usage)\n", msg.c_str());
    std::exit(2);
}

std::uint32_t to_u32(const std::string& s, const std::string& opt) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != '\0' || v > 0xFFFFFFFFul)
        usage_error("bad number for " + opt + ": " + s);
    return static_cast<std::uint32_t>(v);
}

double to_double(const std::string& s, const std::string& opt) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || v < 0)
        usage_error("bad number for " + opt + ": " + s);
    return v;
}

Ipv4Address to_addr(const std::string& s, const std::string& opt) {
    const auto a = Ipv4Address::parse(s);
    if (!a)
        usage_error("bad IPv4 address for " + opt + ": " + s);
    return *a;
}

Args parse(int argc, char** argv) {
    Args a;
    auto& o = a.opts;
    for (int i = 1; i < argc; ++i) {
        const std::string opt = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usage_error(opt + " needs a value");
            return argv[++i];
        };
        if (opt == "--help" || opt == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else if (opt == "--scenario" || opt == "--scenarios") {
            a.scenarios = split(value(), ',');
            if (a.scenarios.size() == 1 && a.scenarios[0] == "all")
                a.scenarios = scenario_names();
            for (const auto& s : a.scenarios) {
                const auto names = scenario_names();
                if (s != "replay" && std::find(names.begin(), names.end(), s) == names.end())
                    usage_error("unknown scenario " + s);
            }
        } else if (opt == "--targets" || opt == "--target") {
            a.targets = split(value(), ',');
        } else if (opt == "--peers") {
            o.plan.peers = to_u32(value(), opt);
        } else if (opt == "--prefixes") {
            o.plan.prefixes_per_peer = to_u32(value(), opt);
        } else if (opt == "--sizes") {
            for (const auto& s : split(value(), ',')) {
                const auto x = s.find('x');
                if (x == std::string::npos)
                    usage_error("sizes are NxK: " + s);
                a.sizes.emplace_back(to_u32(s.substr(0, x), opt), to_u32(s.substr(x + 1), opt));
            }
        } else if (opt == "--overlap") {
            const auto v = value();
            if (v == "disjoint") {
                o.plan.overlap = Overlap::Disjoint;
            } else if (v == "shared") {
                o.plan.overlap = Overlap::Shared;
            } else {
                usage_error("--overlap is disjoint or shared");
            }
        } else if (opt == "--path-lengths") {
            o.plan.path_lengths.clear();
            for (const auto& s : split(value(), ','))
                o.plan.path_lengths.push_back(to_u32(s, opt));
        } else if (opt == "--timeout") {
            o.phase_timeout_s = to_double(value(), opt);
        } else if (opt == "--bringup-timeout") {
            o.bringup_timeout_s = to_double(value(), opt);
        } else if (opt == "--settle") {
            o.settle_s = to_double(value(), opt);
        } else if (opt == "--hold-time") {
            o.hold_time = static_cast<std::uint16_t>(to_u32(value(), opt));
        } else if (opt == "--failover-mode") {
            const auto v = value();
            if (v == "abort") {
                o.failover_mode = FailoverMode::Abort;
            } else if (v == "notification") {
                o.failover_mode = FailoverMode::Notification;
            } else if (v == "hold") {
                o.failover_mode = FailoverMode::HoldExpiry;
            } else {
                usage_error("--failover-mode is abort, notification or hold");
            }
        } else if (opt == "--failover-hold") {
            o.failover_hold = static_cast<std::uint16_t>(to_u32(value(), opt));
        } else if (opt == "--churn-prefixes") {
            o.churn_prefixes = to_u32(value(), opt);
        } else if (opt == "--churn-rate") {
            o.churn_rate = to_double(value(), opt);
            if (o.churn_rate <= 0)
                usage_error("--churn-rate must be positive");
        } else if (opt == "--churn-seconds") {
            o.churn_seconds = to_double(value(), opt);
        } else if (opt == "--route-limit") {
            o.route_limit = to_u32(value(), opt);
        } else if (opt == "--route-limit-excess") {
            o.route_limit_excess = to_u32(value(), opt);
        } else if (opt == "--idle-hold") {
            o.idle_hold_s = to_u32(value(), opt);
        } else if (opt == "--comeback-timeout") {
            o.comeback_timeout_s = to_double(value(), opt);
        } else if (opt == "--peer-limit") {
            o.peer_limit = to_u32(value(), opt);
        } else if (opt == "--extra-peers") {
            o.extra_peers = to_u32(value(), opt);
        } else if (opt == "--replay") {
            o.replay.file = value();
        } else if (opt == "--replay-pace") {
            const auto v = value();
            if (v == "asap") {
                o.replay.pace = ReplayPace::Asap;
            } else if (v == "recorded") {
                o.replay.pace = ReplayPace::Recorded;
            } else {
                usage_error("--replay-pace is asap or recorded");
            }
        } else if (opt == "--replay-speed") {
            o.replay.speed = to_double(value(), opt);
            if (o.replay.speed <= 0)
                usage_error("--replay-speed must be positive");
        } else if (opt == "--replay-peers") {
            for (const auto& item : split(value(), ',')) {
                const auto addr = rf::net::IpAddress::parse(item);
                if (!addr)
                    usage_error("--replay-peers: bad address " + item);
                o.replay.peers.push_back(*addr);
            }
        } else if (opt == "--monitor-table") {
            o.replay.monitor_table = value();
        } else if (opt == "--target-addr") {
            o.target_address = to_addr(value(), opt);
        } else if (opt == "--target-port") {
            o.target_port = static_cast<std::uint16_t>(to_u32(value(), opt));
        } else if (opt == "--target-asn") {
            o.target_asn = to_u32(value(), opt);
            o.check_target_asn = o.target_asn != 0;
        } else if (opt == "--local-addrs") {
            std::string error;
            const auto list = parse_address_list(value(), error);
            if (!list)
                usage_error("--local-addrs: " + error);
            o.local_addresses = *list;
        } else if (opt == "--monitor-addr") {
            o.monitor_address = to_addr(value(), opt);
        } else if (opt == "--interface") {
            o.bind_device = value();
        } else if (opt == "--no-spawn") {
            a.no_spawn = true;
        } else if (opt == "--print-config") {
            a.print_config = value();
        } else if (opt == "--json") {
            a.json_file = value();
        } else if (opt == "--plot") {
            a.plot_dir = value();
        } else if (opt == "--markdown") {
            a.markdown_file = value();
        } else if (opt == "--quiet") {
            a.quiet = true;
        } else if (opt == "--keep-dirs") {
            o.keep_dirs = true;
        } else if (opt == "--verbose" || opt == "-v") {
            o.verbose = true;
        } else if (opt == "--max-load") {
            for (const auto& item : split(value(), ',')) {
                const auto eq = item.find('=');
                if (eq == std::string::npos)
                    usage_error("--max-load takes TARGET=N");
                a.max_load[item.substr(0, eq)] = to_u32(item.substr(eq + 1), opt);
            }
        } else if (opt == "--list-targets") {
            a.list_targets = true;
        } else if (opt == "--bird" || opt == "--frr" || opt == "--gobgp" || opt == "--routefabricd") {
            a.binaries[opt.substr(2)] = value();
        } else {
            usage_error("unknown option " + opt);
        }
    }
    if (a.no_spawn)
        a.targets = {"remote"};
    const bool replay_asked =
        std::find(a.scenarios.begin(), a.scenarios.end(), "replay") != a.scenarios.end();
    if (!o.replay.file.empty()) {
        if (a.scenarios.size() > 1 ||
            (a.scenarios.size() == 1 && a.scenarios[0] != "ingest" && !replay_asked))
            usage_error("--replay runs the replay scenario alone (drop --scenario)");
        a.scenarios = {"replay"};
        if (!a.sizes.empty())
            usage_error("--replay takes its peers and prefixes from the file (drop --sizes)");
    } else if (replay_asked) {
        usage_error("the replay scenario needs --replay FILE");
    }
    if (a.sizes.empty())
        a.sizes.emplace_back(o.plan.peers, o.plan.prefixes_per_peer);
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    Args args = parse(argc, argv);

    if (args.list_targets) {
        for (const auto& name : known_targets()) {
            auto t = make_target(name);
            const auto bin = t->binary();
            std::printf("%-13s %-40s %s\n  needs: %s\n", name.c_str(), bin ? bin->c_str() : "-",
                        t->spawns() ? t->version().c_str() : "", t->notes().c_str());
        }
        return 0;
    }
    if (!args.print_config.empty()) {
        auto t = make_target(args.print_config);
        if (!t)
            usage_error("unknown target " + args.print_config);
        TargetSpec spec;
        spec.listen_address = args.opts.target_address;
        spec.port = args.opts.target_port != 0 ? args.opts.target_port : 179;
        spec.asn = args.opts.target_asn;
        spec.hold_time = args.opts.hold_time;
        spec.idle_hold_seconds = args.opts.idle_hold_s;
        spec.neighbors.push_back(
            NeighborSpec{"monitor", args.opts.monitor_address, monitor_identity().asn, 0});
        for (std::uint32_t i = 0; i < args.opts.plan.peers; ++i) {
            const auto addr =
                i < args.opts.local_addresses.size() ? args.opts.local_addresses[i] : default_peer_address(i);
            spec.neighbors.push_back(NeighborSpec{"peer" + std::to_string(i), addr, peer_identity(i).asn, 0});
        }
        std::fputs(t->config_text(spec, "RUNDIR").c_str(), stdout);
        return 0;
    }

    if (!args.opts.replay.file.empty()) {
        std::string error;
        auto file = load_replay(args.opts.replay, error);
        if (!file) {
            std::fprintf(stderr, "rfbench: --replay %s\n", error.c_str());
            return 2;
        }
        if (args.opts.verbose)
            for (std::size_t i = 0; i < file->peers.size(); ++i)
                std::fprintf(stderr, "rfbench: replay peer%zu = %s AS%u: %llu routes, %llu UPDATEs\n", i,
                             file->peers[i].address.to_string().c_str(), file->peers[i].asn,
                             static_cast<unsigned long long>(file->peers[i].routes),
                             static_cast<unsigned long long>(file->peers[i].updates));
        args.opts.replay_file = std::make_shared<const ReplayFile>(std::move(*file));
    }

    std::vector<std::unique_ptr<Target>> targets;
    for (const auto& name : args.targets) {
        auto t = make_target(name);
        if (!t)
            usage_error("unknown target " + name);
        if (const auto it = args.binaries.find(name); it != args.binaries.end())
            t->set_binary(it->second);
        if (t->spawns() && !t->binary()) {
            std::fprintf(stderr, "rfbench: %s not found, skipped\n", name.c_str());
            continue;
        }
        targets.push_back(std::move(t));
    }
    if (targets.empty())
        usage_error("no usable target");

    std::ofstream json_out;
    if (!args.json_file.empty()) {
        json_out.open(args.json_file, std::ios::app);
        if (!json_out)
            usage_error("cannot open " + args.json_file);
    }
    const std::string provenance = provenance_fields(argc, argv);
    std::vector<Measurement> results;
    bool all_ok = true;
    for (const auto& [peers, prefixes] : args.sizes) {
        for (const auto& scenario : args.scenarios) {
            for (auto& t : targets) {
                ScenarioOptions o = args.opts;
                o.plan.peers = peers;
                o.plan.prefixes_per_peer = prefixes;
                if (o.verbose && o.replay_file) {
                    std::fprintf(stderr, "rfbench: %s %s %s ...\n", scenario.c_str(), t->name().c_str(),
                                 o.replay.file.c_str());
                } else if (o.verbose) {
                    std::fprintf(stderr, "rfbench: %s %s %ux%u ...\n", scenario.c_str(), t->name().c_str(),
                                 peers, prefixes);
                }
                const auto limit = args.max_load.find(t->name());
                if (limit != args.max_load.end() &&
                    static_cast<std::uint64_t>(peers) * prefixes > limit->second) {
                    Measurement skipped;
                    skipped.scenario = scenario;
                    skipped.target = t->name();
                    skipped.peers = peers;
                    skipped.prefixes_per_peer = prefixes;
                    skipped.skipped = true;
                    skipped.error =
                        "skipped: above --max-load " + t->name() + "=" + std::to_string(limit->second);
                    const std::string line = with_fields(skipped.json_line(), provenance);
                    if (json_out.is_open()) {
                        json_out << line << "\n";
                    } else {
                        std::printf("%s\n", line.c_str());
                    }
                    results.push_back(std::move(skipped));
                    continue;
                }
                Measurement m = run_scenario(scenario, o, *t);
                all_ok = all_ok && m.ok;
                const std::string line = with_fields(m.json_line(), provenance);
                if (json_out.is_open()) {
                    json_out << line << "\n";
                    json_out.flush();
                } else {
                    std::printf("%s\n", line.c_str());
                    std::fflush(stdout);
                }
                if (!m.ok && !args.quiet)
                    std::fprintf(stderr, "rfbench: %s against %s failed: %s\n", scenario.c_str(),
                                 t->name().c_str(), m.error.c_str());
                results.push_back(std::move(m));
            }
        }
    }
    if (!args.quiet)
        std::fprintf(stderr, "\n%s", format_table(results).c_str());
    if (!args.markdown_file.empty() && !write_file(args.markdown_file, format_markdown(results)))
        std::fprintf(stderr, "rfbench: cannot write %s\n", args.markdown_file.c_str());
    if (!args.plot_dir.empty()) {
        std::string error;
        const auto files = write_plots(results, args.plot_dir, error);
        if (!error.empty())
            std::fprintf(stderr, "rfbench: plots: %s\n", error.c_str());
        if (!args.quiet)
            std::fprintf(stderr, "rfbench: %zu plot files in %s\n", files.size(), args.plot_dir.c_str());
    }
    return all_ok ? 0 : 1;
}
