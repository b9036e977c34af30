// Where and when a measurement was taken, and by which command: carried in every JSON line rfbench writes,
// so a table generated from the results (scripts/bench_summary.py) can say it next to each figure.
#pragma once

#include <string>

namespace rf::bench {

// `"date":"2026-12-07T07:01:02Z","machine":"<CPU model>, <n> CPUs, <RAM>, Linux <release>","command":"..."`
// (no braces): the UTC time now, this machine, and the command line.
[[nodiscard]] std::string provenance_fields(int argc, const char* const* argv);

// `line` (one JSON object) with `fields` inserted first.
[[nodiscard]] std::string with_fields(const std::string& line, const std::string& fields);

}  // namespace rf::bench
