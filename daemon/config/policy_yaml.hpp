// The `policy:` section and the peers' import_policy in YAML: read (parse_policy.cpp)
// and written back (emit_policy.cpp). The values are control/policy's Definitions; whether they compile
// (regexes, set references, ge/le) is validate.cpp's question, asked of policy::compile.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "control/policy/definitions.hpp"
#include "daemon/config/yaml_reader.hpp"

namespace rf::config {

void read_policy(YamlReader& r, const YAML::Node& n, policy::Definitions& defs);
// A list of policy names; a single name may be written as a scalar.
void read_policy_names(YamlReader& r, const YAML::Node& n, const std::string& path,
                       std::vector<std::string>& out);

void emit_policy(YAML::Emitter& out, const policy::Definitions& defs);

}  // namespace rf::config
