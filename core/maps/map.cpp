// map.cpp - default implementations of the optional Map operations.
#include "maps/map.h"

namespace ferry {

std::optional<MapError> Map::update(std::string_view, std::string_view) {
    return MapError{spec() + ": update is not supported for this table type"};
}

LookupResult Map::remove(std::string_view) {
    return LookupResult::temp_fail(
        spec() + ": delete is not supported for this table type");
}

LookupStatus Map::sequence(bool, Entry &, std::string &why) {
    why = spec() + ": sequence is not supported for this table type";
    return LookupStatus::TempFail;
}

std::optional<MapError> Map::commit() { return std::nullopt; }

} // namespace ferry
