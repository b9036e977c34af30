#include "control/rib/loc_rib.hpp"

#include <algorithm>
#include <iterator>

namespace rf::rib {

std::vector<net::Prefix> LocRib::replace_vnet_prefixes(std::set<net::Prefix> next) {
    std::vector<net::Prefix> changed;
    std::set_symmetric_difference(vnet_.begin(), vnet_.end(), next.begin(), next.end(),
                                  std::back_inserter(changed));
    for (const auto& p : changed) {
        touch(p);  // recorded as they were: with the old flag
    }
    vnet_ = std::move(next);
    for (const auto& p : changed) {
        if (PrefixPaths* paths = entries_.find(p)) {  // touch() created it
            paths->set_vnet(vnet_.count(p) != 0);
        }
    }
    return changed;
}

void LocRib::end_call() {
    for (const auto& t : touched_) {
        PrefixPaths* paths = entries_.find(t.prefix);
        if (paths == nullptr) {
            continue;  // not reached: touched prefixes keep their entry until here
        }
        paths->set_touched(false);
        if (paths->empty()) {
            entries_.erase(t.prefix);
        }
    }
    touched_.clear();
    recorded_.clear();
}

}  // namespace rf::rib
