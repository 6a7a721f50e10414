// conf_maps.cpp - `postconf -m`: every table type Ferry knows, one per line,
// as MapCatalog reports them (built-in types and those in the module
// registry).
#include "maps/catalog.h"

#include <cstdio>

namespace ferry::cmd::conf {

int print_map_types() {
    MapCatalog catalog(default_catalog_options());
    for (const auto &type : catalog.types()) std::printf("%s\n", type.c_str());
    return 0;
}

} // namespace ferry::cmd::conf
