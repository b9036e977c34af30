// rfbench: convergence, churn and route-limit benchmarks for any BGP speaker. See docs/benchmarks.md.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
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
  --targets LIST          routefabricd,bird,frr,gobgp,openbgpd (same scenario each)     [bird]
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
                          IPv4 and IPv6 unicast (IPv6 next hop: 2001:db8:64::<IPv4 next hop>)
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
  --bird PATH | --frr PATH | --gobgp PATH | --openbgpd PATH | --routefabricd PATH
                          daemon executables
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

// An option that takes a value: what it does with it.
using ValueOption = std::function<void(Args&, const std::string& opt, const std::string& value)>;

template <typename Enum>
Enum one_of(const std::string& value, const std::vector<std::pair<const char*, Enum>>& names,
            const std::string& what) {
    for (const auto& [name, e] : names) {
        if (value == name)
            return e;
    }
    usage_error(what);
}

const std::map<std::string, ValueOption>& value_options() {
    static const std::map<std::string, ValueOption> table = [] {
        std::map<std::string, ValueOption> t;
        auto u32 = [](std::uint32_t ScenarioOptions::*field) {
            return [field](Args& a, const std::string& opt, const std::string& v) {
                a.opts.*field = to_u32(v, opt);
            };
        };
        auto real = [](double ScenarioOptions::*field) {
            return [field](Args& a, const std::string& opt, const std::string& v) {
                a.opts.*field = to_double(v, opt);
            };
        };
        auto text = [](std::string Args::*field) {
            return [field](Args& a, const std::string&, const std::string& v) { a.*field = v; };
        };
        t["--scenario"] = [](Args& a, const std::string&, const std::string& v) {
            a.scenarios = split(v, ',');
            const auto names = scenario_names();
            if (a.scenarios.size() == 1 && a.scenarios[0] == "all")
                a.scenarios = names;
            for (const auto& s : a.scenarios) {
                if (s != "replay" && std::find(names.begin(), names.end(), s) == names.end())
                    usage_error("unknown scenario " + s);
            }
        };
        t["--scenarios"] = t["--scenario"];
        t["--targets"] = [](Args& a, const std::string&, const std::string& v) { a.targets = split(v, ','); };
        t["--target"] = t["--targets"];
        t["--peers"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.plan.peers = to_u32(v, opt);
        };
        t["--prefixes"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.plan.prefixes_per_peer = to_u32(v, opt);
        };
        t["--sizes"] = [](Args& a, const std::string& opt, const std::string& v) {
            for (const auto& s : split(v, ',')) {
                const auto x = s.find('x');
                if (x == std::string::npos)
                    usage_error("sizes are NxK: " + s);
                a.sizes.emplace_back(to_u32(s.substr(0, x), opt), to_u32(s.substr(x + 1), opt));
            }
        };
        t["--overlap"] = [](Args& a, const std::string&, const std::string& v) {
            a.opts.plan.overlap =
                one_of<Overlap>(v, {{"disjoint", Overlap::Disjoint}, {"shared", Overlap::Shared}},
                                "--overlap is disjoint or shared");
        };
        t["--path-lengths"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.plan.path_lengths.clear();
            for (const auto& s : split(v, ','))
                a.opts.plan.path_lengths.push_back(to_u32(s, opt));
        };
        t["--timeout"] = real(&ScenarioOptions::phase_timeout_s);
        t["--bringup-timeout"] = real(&ScenarioOptions::bringup_timeout_s);
        t["--settle"] = real(&ScenarioOptions::settle_s);
        t["--hold-time"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.hold_time = static_cast<std::uint16_t>(to_u32(v, opt));
        };
        t["--failover-mode"] = [](Args& a, const std::string&, const std::string& v) {
            a.opts.failover_mode = one_of<FailoverMode>(v,
                                                        {{"abort", FailoverMode::Abort},
                                                         {"notification", FailoverMode::Notification},
                                                         {"hold", FailoverMode::HoldExpiry}},
                                                        "--failover-mode is abort, notification or hold");
        };
        t["--failover-hold"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.failover_hold = static_cast<std::uint16_t>(to_u32(v, opt));
        };
        t["--churn-prefixes"] = u32(&ScenarioOptions::churn_prefixes);
        t["--churn-rate"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.churn_rate = to_double(v, opt);
            if (a.opts.churn_rate <= 0)
                usage_error("--churn-rate must be positive");
        };
        t["--churn-seconds"] = real(&ScenarioOptions::churn_seconds);
        t["--route-limit"] = u32(&ScenarioOptions::route_limit);
        t["--route-limit-excess"] = u32(&ScenarioOptions::route_limit_excess);
        t["--idle-hold"] = u32(&ScenarioOptions::idle_hold_s);
        t["--comeback-timeout"] = real(&ScenarioOptions::comeback_timeout_s);
        t["--peer-limit"] = u32(&ScenarioOptions::peer_limit);
        t["--extra-peers"] = u32(&ScenarioOptions::extra_peers);
        t["--replay"] = [](Args& a, const std::string&, const std::string& v) { a.opts.replay.file = v; };
        t["--replay-pace"] = [](Args& a, const std::string&, const std::string& v) {
            a.opts.replay.pace =
                one_of<ReplayPace>(v, {{"asap", ReplayPace::Asap}, {"recorded", ReplayPace::Recorded}},
                                   "--replay-pace is asap or recorded");
        };
        t["--replay-speed"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.replay.speed = to_double(v, opt);
            if (a.opts.replay.speed <= 0)
                usage_error("--replay-speed must be positive");
        };
        t["--replay-peers"] = [](Args& a, const std::string&, const std::string& v) {
            for (const auto& item : split(v, ',')) {
                const auto addr = rf::net::IpAddress::parse(item);
                if (!addr)
                    usage_error("--replay-peers: bad address " + item);
                a.opts.replay.peers.push_back(*addr);
            }
        };
        t["--monitor-table"] = [](Args& a, const std::string&, const std::string& v) {
            a.opts.replay.monitor_table = v;
        };
        t["--target-addr"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.target_address = to_addr(v, opt);
        };
        t["--target-port"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.target_port = static_cast<std::uint16_t>(to_u32(v, opt));
        };
        t["--target-asn"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.target_asn = to_u32(v, opt);
            a.opts.check_target_asn = a.opts.target_asn != 0;
        };
        t["--local-addrs"] = [](Args& a, const std::string&, const std::string& v) {
            std::string error;
            const auto list = parse_address_list(v, error);
            if (!list)
                usage_error("--local-addrs: " + error);
            a.opts.local_addresses = *list;
        };
        t["--monitor-addr"] = [](Args& a, const std::string& opt, const std::string& v) {
            a.opts.monitor_address = to_addr(v, opt);
        };
        t["--interface"] = [](Args& a, const std::string&, const std::string& v) { a.opts.bind_device = v; };
        t["--print-config"] = text(&Args::print_config);
        t["--json"] = text(&Args::json_file);
        t["--plot"] = text(&Args::plot_dir);
        t["--markdown"] = text(&Args::markdown_file);
        t["--max-load"] = [](Args& a, const std::string& opt, const std::string& v) {
            for (const auto& item : split(v, ',')) {
                const auto eq = item.find('=');
                if (eq == std::string::npos)
                    usage_error("--max-load takes TARGET=N");
                a.max_load[item.substr(0, eq)] = to_u32(item.substr(eq + 1), opt);
            }
        };
        for (const char* daemon : {"bird", "frr", "gobgp", "openbgpd", "routefabricd"}) {
            t[std::string("--") + daemon] = [daemon](Args& a, const std::string&, const std::string& v) {
                a.binaries[daemon] = v;
            };
        }
        return t;
    }();
    return table;
}

Args parse(int argc, char** argv) {
    Args a;
    const std::map<std::string, std::function<void(Args&)>> flags{
        {"--no-spawn", [](Args& x) { x.no_spawn = true; }},
        {"--quiet", [](Args& x) { x.quiet = true; }},
        {"--keep-dirs", [](Args& x) { x.opts.keep_dirs = true; }},
        {"--verbose", [](Args& x) { x.opts.verbose = true; }},
        {"-v", [](Args& x) { x.opts.verbose = true; }},
        {"--list-targets", [](Args& x) { x.list_targets = true; }},
    };
    for (int i = 1; i < argc; ++i) {
        const std::string opt = argv[i];
        if (opt == "--help" || opt == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        }
        if (auto f = flags.find(opt); f != flags.end()) {
            f->second(a);
        } else if (auto v = value_options().find(opt); v != value_options().end()) {
            if (i + 1 >= argc)
                usage_error(opt + " needs a value");
            v->second(a, opt, argv[++i]);
        } else {
            usage_error("unknown option " + opt);
        }
    }
    if (a.no_spawn)
        a.targets = {"remote"};
    const bool replay_asked =
        std::find(a.scenarios.begin(), a.scenarios.end(), "replay") != a.scenarios.end();
    if (!a.opts.replay.file.empty()) {
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
        a.sizes.emplace_back(a.opts.plan.peers, a.opts.plan.prefixes_per_peer);
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
