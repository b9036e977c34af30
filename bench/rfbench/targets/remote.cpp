// An already running route server (remote box, lab switch, or a daemon started by hand): rfbench spawns
// nothing and samples nothing; the operator configures it with the neighbours rfbench prints.
#include <sstream>

#include "bench/rfbench/targets/drivers.hpp"

namespace rf::bench {

namespace {

class RemoteTarget final : public Target {
public:
    [[nodiscard]] std::string name() const override { return "remote"; }
    [[nodiscard]] std::vector<std::string> binaries() const override { return {}; }
    [[nodiscard]] std::string config_file_name() const override { return "neighbors.txt"; }
    [[nodiscard]] std::vector<std::string> version_command(const std::string& /*binary*/) const override {
        return {};
    }
    [[nodiscard]] std::string notes() const override {
        return "--no-spawn: configure the route server yourself with the neighbours printed by "
               "--print-config";
    }
    [[nodiscard]] bool spawns() const override { return false; }
    [[nodiscard]] std::string config_text(const TargetSpec& spec, const std::string& /*dir*/) const override {
        std::ostringstream c;
        c << "# route server " << spec.listen_address.to_string() << " port " << spec.port << " AS "
          << spec.asn << ": configure these neighbours as passive route-server clients\n";
        for (const auto& n : spec.neighbors) {
            c << n.name << " " << n.address.to_string() << " AS " << n.asn;
            if (n.route_limit != 0)
                c << " route-limit " << n.route_limit;
            c << "\n";
        }
        return c.str();
    }
    [[nodiscard]] std::vector<std::string> command(const TargetSpec& /*spec*/, const std::string& /*dir*/,
                                                   const std::string& /*binary*/) const override {
        return {};
    }
    bool start(const TargetSpec& /*spec*/, Nanos /*ready_timeout*/, std::string& /*error*/) override {
        return true;
    }
    void stop() override {}
    bool running() override { return true; }
    [[nodiscard]] ProcSample sample() override { return {}; }
};

}  // namespace

std::unique_ptr<Target> make_remote_target() {
    return std::make_unique<RemoteTarget>();
}

}  // namespace rf::bench
