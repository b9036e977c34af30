// The `bmp` section of the configuration (BMP collectors, daemon/bmp): read, checked and written here,
// called from parse.cpp and validate.cpp (emit.cpp writes it with the other sections).
#pragma once

#include <yaml-cpp/yaml.h>

#include "daemon/config/config.hpp"
#include "daemon/config/yaml_reader.hpp"

namespace rf::config {

void read_bmp(YamlReader& r, const YAML::Node& n, BmpConfig& bmp);
void validate_bmp(const BmpConfig& bmp, Errors& errors);

}  // namespace rf::config
