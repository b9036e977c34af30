// One driver per daemon (config writer + command line + what it needs). See target.hpp.
#pragma once

#include <memory>

#include "bench/rfbench/target.hpp"

namespace rf::bench {

std::unique_ptr<Target> make_bird_target();
std::unique_ptr<Target> make_frr_target();
std::unique_ptr<Target> make_gobgp_target();
std::unique_ptr<Target> make_openbgpd_target();
std::unique_ptr<Target> make_routefabricd_target();
std::unique_ptr<Target> make_remote_target();

}  // namespace rf::bench
