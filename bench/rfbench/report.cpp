#include "bench/rfbench/report.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "bench/rfbench/process.hpp"
#include "bench/rfbench/stats.hpp"

namespace rf::bench {

namespace {

std::string fmt(double v, int decimals = 1) {
    if (v < 0)
        return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string safe_name(std::string s) {
    for (auto& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            c = '_';
    return s;
}

}  // namespace

std::string format_table(const std::vector<Measurement>& ms) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"scenario", "target", "size", "result", "value", "prefixes/s", "p99 ms", "peak RSS MiB",
                    "CPU s", "ok"});
    for (const auto& m : ms) {
        std::string result = m.headline_name;
        std::string value = m.headline_name == "refused" ? fmt(m.headline, 0) : fmt(m.headline, 2);
        if (!m.ok && !m.error.empty())
            value += " (" + m.error.substr(0, 60) + ")";
        const double cpu = m.number("target_cpu_phase_s");
        rows.push_back({m.scenario_label(), m.target, m.size_label(), result, value,
                        fmt(m.number("prefixes_per_s"), 0), fmt(m.number("lag_p99_ms"), 3),
                        fmt(m.number("target_peak_rss_mib"), 1), fmt(cpu, 2),
                        m.skipped ? "skipped"
                        : m.ok    ? "yes"
                                  : "NO"});
    }
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i)
            width[i] = std::max(width[i], r[i].size());
    std::ostringstream os;
    for (std::size_t ri = 0; ri < rows.size(); ++ri) {
        for (std::size_t i = 0; i < rows[ri].size(); ++i) {
            os << rows[ri][i] << std::string(width[i] - rows[ri][i].size() + 2, ' ');
        }
        os << "\n";
        if (ri == 0) {
            for (std::size_t i = 0; i < width.size(); ++i)
                os << std::string(width[i], '-') << "  ";
            os << "\n";
        }
    }
    return os.str();
}

std::string format_markdown(const std::vector<Measurement>& ms) {
    std::ostringstream os;
    os << "| scenario | size | target | result | value | prefixes/s | all peers done ms | p99 lag ms | peak "
          "RSS MiB "
          "| target CPU s | rfbench CPU s | ok |\n"
       << "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
    for (const auto& m : ms) {
        std::string value = m.headline_name == "refused" ? fmt(m.headline, 0) : fmt(m.headline, 2);
        if (!m.ok && !m.error.empty())
            value += " (" + m.error.substr(0, 80) + ")";
        os << "| " << m.scenario_label() << " | " << m.size_label() << " | " << m.target << " | "
           << m.headline_name << " | " << value << " | " << fmt(m.number("prefixes_per_s"), 0) << " | "
           << fmt(m.number("all_peers_done_ms"), 1) << " | " << fmt(m.number("lag_p99_ms"), 3) << " | "
           << fmt(m.number("target_peak_rss_mib"), 1) << " | " << fmt(m.number("target_cpu_phase_s"), 2)
           << " | " << fmt(m.number("rfbench_cpu_phase_s"), 2) << " | "
           << (m.skipped ? "skipped"
               : m.ok    ? "yes"
                         : "**no**")
           << " |\n";
    }
    return os.str();
}

std::vector<std::string> write_plots(const std::vector<Measurement>& ms, const std::string& dir,
                                     std::string& error) {
    std::vector<std::string> files;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        error = "cannot create " + dir + ": " + ec.message();
        return files;
    }
    const auto gnuplot = find_executable({"gnuplot"});
    std::vector<std::string> scripts;
    auto terminals = [](const std::string& base) {
        return std::vector<std::pair<std::string, std::string>>{
            {"set terminal pngcairo size 1000,640 noenhanced", base + ".png"},
            {"set terminal svg size 1000,640 noenhanced", base + ".svg"}};
    };

    // Convergence CDFs, one plot per scenario that has them.
    std::map<std::string, std::vector<const Measurement*>> cdf_by_scenario;
    for (const auto& m : ms)
        if (m.ok && !m.convergence.empty())
            cdf_by_scenario[m.scenario_label()].push_back(&m);
    // Colour by target, dash by size: many target x size curves stay tellable apart.
    std::vector<std::string> target_order;
    std::vector<std::string> size_order;
    for (const auto& m : ms) {
        if (std::find(target_order.begin(), target_order.end(), m.target) == target_order.end())
            target_order.push_back(m.target);
        if (std::find(size_order.begin(), size_order.end(), m.size_label()) == size_order.end())
            size_order.push_back(m.size_label());
    }
    auto index_of = [](const std::vector<std::string>& v, const std::string& x) {
        return static_cast<std::size_t>(std::find(v.begin(), v.end(), x) - v.begin()) + 1;
    };
    for (const auto& [scenario, list] : cdf_by_scenario) {
        std::vector<std::string> plots;
        for (const auto* m : list) {
            const std::string name =
                "cdf-" + safe_name(scenario + "-" + m->target + "-" + m->size_label()) + ".dat";
            // (scenario is the label: "failover/abort/best-path" → "failover_abort_best-path")
            const std::string data = dir + "/" + name;
            std::ostringstream d;
            d << "# ms fraction (" << scenario << " " << m->target << " " << m->size_label() << ")\n";
            for (const auto& [t, f] : cdf_points(m->convergence, 1000))
                d << to_ms(t) << " " << f << "\n";
            write_file(data, d.str());
            files.push_back(data);
            plots.push_back("'" + name + "' using 1:2 with lines lw 2 lc " +
                            std::to_string(index_of(target_order, m->target)) + " dt " +
                            std::to_string(index_of(size_order, m->size_label())) + " title '" + m->target +
                            " " + m->size_label() + "'");
        }
        const std::string base = safe_name(scenario) + "-cdf";
        std::ostringstream g;
        for (const auto& [term, out] : terminals(base)) {
            g << term << "\nset output '" << out << "'\n"
              << "set title 'rfbench " << scenario << ": per-prefix convergence at the monitor (CDF)'\n"
              << "set xlabel 'ms since "
              << (scenario.rfind("failover", 0) == 0 ? "the peer failure"
                  : scenario == "bringup"            ? "the first connect"
                                                     : "the first UPDATE sent")
              << "'\n"
              << "set ylabel 'fraction of prefixes'\nset key bottom right\nset grid\nset yrange [0:1.02]\n"
              << "set logscale x\n"
              << "plot ";
            for (std::size_t i = 0; i < plots.size(); ++i)
                g << (i ? ", " : "") << plots[i];
            g << "\nunset output\n";
        }
        write_file(dir + "/" + base + ".gp", g.str());
        scripts.push_back(base + ".gp");
    }

    // Churn lag over time.
    std::vector<std::string> lag_plots;
    for (const auto& m : ms) {
        if (m.lags.empty())
            continue;
        const std::string name = "churn-lag-" + safe_name(m.target + "-" + m.size_label()) + ".dat";
        const std::string data = dir + "/" + name;
        std::ostringstream d;
        d << "# seconds_since_start lag_ms (" << m.target << ")\n";
        for (const auto& [at, lag] : m.lags)
            d << to_s(at) << " " << to_ms(lag) << "\n";
        write_file(data, d.str());
        files.push_back(data);
        lag_plots.push_back("'" + name + "' using 1:2 with points pt 7 ps 0.3 title '" + m.target + " (p99 " +
                            fmt(m.number("lag_p99_ms"), 3) + " ms)'");
    }
    if (!lag_plots.empty()) {
        const std::string base = "churn-lag";
        std::ostringstream g;
        for (const auto& [term, out] : terminals(base)) {
            g << term << "\nset output '" << out << "'\n"
              << "set title 'rfbench churn: UPDATE-in to UPDATE-out lag per event'\n"
              << "set xlabel 'seconds since churn start'\nset ylabel 'lag (ms)'\nset logscale y\nset grid\n"
              << "set key top right\nplot ";
            for (std::size_t i = 0; i < lag_plots.size(); ++i)
                g << (i ? ", " : "") << lag_plots[i];
            g << "\nunset output\n";
        }
        write_file(dir + "/" + base + ".gp", g.str());
        scripts.push_back(base + ".gp");
    }

    // Ingest rate: rows are sizes, columns targets.
    std::vector<std::string> sizes;
    std::vector<std::string> targets;
    std::map<std::pair<std::string, std::string>, double> rate;
    for (const auto& m : ms) {
        if (m.scenario != "ingest" || !m.ok)
            continue;
        if (std::find(sizes.begin(), sizes.end(), m.size_label()) == sizes.end())
            sizes.push_back(m.size_label());
        if (std::find(targets.begin(), targets.end(), m.target) == targets.end())
            targets.push_back(m.target);
        rate[{m.size_label(), m.target}] = m.number("prefixes_per_s", 0);
    }
    if (!sizes.empty()) {
        const std::string data = dir + "/ingest-rate.dat";
        const std::string name = "ingest-rate.dat";
        std::ostringstream d;
        d << "size";
        for (const auto& t : targets)
            d << " " << t;
        d << "\n";
        for (const auto& s : sizes) {
            d << s;
            for (const auto& t : targets) {
                const auto it = rate.find({s, t});
                d << " " << (it == rate.end() ? 0.0 : it->second);
            }
            d << "\n";
        }
        write_file(data, d.str());
        files.push_back(data);
        const std::string base = "ingest-rate";
        std::ostringstream g;
        for (const auto& [term, out] : terminals(base)) {
            g << term << "\nset output '" << out << "'\n"
              << "set title 'rfbench ingest: prefixes/s at the monitor (N peers x K prefixes)'\n"
              << "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 "
                 "border -1\n"
              << "set ylabel 'prefixes/s'\nset grid ytics\nset key top left\nset logscale y\n"
              << "plot for [i=2:" << targets.size() + 1 << "] '" << name
              << "' using i:xtic(1) title columnheader(i)\nunset output\n";
        }
        write_file(dir + "/" + base + ".gp", g.str());
        scripts.push_back(base + ".gp");
    }

    // Scripts name their files relative to `dir`, so the directory can be moved and re-plotted.
    for (const auto& s : scripts) {
        files.push_back(dir + "/" + s);
        if (!gnuplot) {
            error = "gnuplot not found: scripts written, not run";
            continue;
        }
        const std::string out = capture_output({*gnuplot, "-e", "cd '" + dir + "'", s}, 30 * kSecond);
        if (!out.empty())
            error += s + ": " + out;
        const std::string base = dir + "/" + s.substr(0, s.size() - 3);
        files.push_back(base + ".png");
        files.push_back(base + ".svg");
    }
    return files;
}

}  // namespace rf::bench
