// The YAML `rpki:` section (RPKI origin validation from RTR caches): read and checked here, emitted by
// emit.cpp, listed in the schema. Errors name the field ("rpki.caches[1].port").
#pragma once

#include <yaml-cpp/yaml.h>

#include "control/rpki/rtr_config.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/yaml_reader.hpp"

namespace rf::config {

void read_rpki(YamlReader& r, const YAML::Node& n, rpki::RtrConfig& out);
[[nodiscard]] Errors validate_rpki(const rpki::RtrConfig& c);
void emit_rpki(YAML::Emitter& out, const rpki::RtrConfig& c);

}  // namespace rf::config
