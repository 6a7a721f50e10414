// fail_table.cpp - fail:name, a table whose every lookup is a temporary
// failure.  Postfix uses it to test that a broken table defers mail instead
// of bouncing it; so do we.
#include "maps/builtin.h"

namespace ferry {
namespace {

class FailTable : public Map {
public:
    explicit FailTable(std::string name) : Map("fail", std::move(name), 0) {}
    LookupResult lookup(std::string_view) override {
        return LookupResult::temp_fail(why());
    }
    LookupResult remove(std::string_view) override {
        return LookupResult::temp_fail(why());
    }
    LookupStatus sequence(bool, Entry &, std::string &reason) override {
        reason = why();
        return LookupStatus::TempFail;
    }
    std::optional<MapError> update(std::string_view,
                                   std::string_view) override {
        return MapError{why()};
    }

private:
    // Postfix's words; callers add "table fail:NAME: query error:".
    std::string why() const { return "Application error"; }
};

} // namespace

OpenedMap open_fail_table(std::string_view name, unsigned) {
    return {std::make_unique<FailTable>(std::string(name)), {}};
}

} // namespace ferry
