// maps_test_support.h - open a built-in table through a catalog with an
// empty registry, capturing what it logs.
#pragma once

#include "maps/catalog.h"
#include "temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {

struct Opened {
    OpenedMap opened;
    std::string log; // stderr while opening
    Map &operator*() { return *opened.map; }
    Map *operator->() { return opened.map.get(); }
};

inline Opened open_table(const std::string &spec,
                         unsigned flags = map_flags::lookup_default) {
    CatalogOptions o;
    o.registry_dir = "/nonexistent";
    MapCatalog catalog(o);
    ::testing::internal::CaptureStderr();
    Opened r{catalog.open(spec, flags), {}};
    r.log = ::testing::internal::GetCapturedStderr();
    return r;
}

inline std::string value_of(Map &m, std::string_view key) {
    auto r = m.lookup(key);
    return r.is_found() ? r.value : "<" + std::string(r.is_temp_fail() ? "tempfail" : "notfound") + ">";
}

} // namespace ferry::test
