// nis_table.cpp - nis:map, as Postfix behaves on a host without NIS.
//
// Postfix's built-in alias_maps default names nis:mail.aliases, and
// Debian's stock main.cf leaves it at that, so every local delivery looks
// there.  Postfix, finding no NIS domain, warns once and answers "not
// found"; so does Ferry.  Ferry does not speak NIS: on a host that has a
// domain set, every lookup is a temporary failure that says so, and the
// mail waits rather than being delivered past an alias it could not read.
#include "maps/builtin.h"

#include "log/msg.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace ferry {
namespace {

// The host's NIS domain, empty when none is set ("(none)" on Linux).
std::string nis_domain() {
    char name[256] = {};
    if (::getdomainname(name, sizeof name - 1) != 0) return {};
    std::string domain(name);
    return domain == "(none)" ? std::string() : domain;
}

class NisTable : public Map {
public:
    NisTable(std::string name, std::string domain) : Map("nis", std::move(name), 0), domain_(std::move(domain)) {}

    LookupResult lookup(std::string_view) override {
        if (domain_.empty()) return LookupResult::not_found();
        return LookupResult::temp_fail("NIS lookups in domain " + domain_ + " are not supported by Ferry");
    }

private:
    std::string domain_;
};

} // namespace

OpenedMap open_nis_table(std::string_view name, unsigned) {
    std::string domain = nis_domain();
    static std::atomic<bool> warned{false};
    if (domain.empty() && !warned.exchange(true)) msg::warning("NIS domain name not set - NIS lookups disabled");
    return {std::make_unique<NisTable>(std::string(name), std::move(domain)), {}};
}

} // namespace ferry
