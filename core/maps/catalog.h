// catalog.h - every table type Ferry knows, built-in or from a module, and
// the one way to open a table by its main.cf name ("type:name").
//
// Thread-safe: open(), types() and props() may be called from any thread.
// A Map may outlive the catalog that opened it (it keeps its module
// loaded), but its host callbacks then see no parameters or tables.
//
// Built-in types live in the core (static, inline, texthash, cidr, fail,
// unix).  Other types are listed in the module registry (one snippet per
// module in the registry directory, "KIND NAME FILE" lines) and loaded
// through the module host on first use.
#pragma once

#include "maps/map.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

struct CatalogOptions {
    // Registry directory: $FERRY_REGISTRY_DIR, else the compiled-in default.
    std::filesystem::path registry_dir;
    // Where bare module file names are searched: $FERRY_MODULE_PATH
    // (colon-separated), then the compiled-in module directory.
    std::vector<std::filesystem::path> module_path;
    // main.cf parameter values, offered to modules through ferry_host.param.
    std::function<std::optional<std::string>(std::string_view)> param;
};

// Options from the environment and build defaults, with no parameters.
CatalogOptions default_catalog_options();

class Config;
// The same, offering modules the main.cf parameters of cfg (which must
// outlive the catalog).
CatalogOptions catalog_options(const Config &cfg);

class MapCatalog {
public:
    explicit MapCatalog(CatalogOptions options);
    ~MapCatalog();
    MapCatalog(const MapCatalog &) = delete;
    MapCatalog &operator=(const MapCatalog &) = delete;

    // Open "type:name" with map_flags::*.  On failure map is null and error
    // says why, naming the table (and module file, if one was involved).
    OpenedMap open(std::string_view spec, unsigned flags);

    // Every known type, sorted, for `postconf -m`.
    std::vector<std::string> types() const;

    // Transport names listed in the registry, sorted (delivery modules are
    // loaded by the transport host; the catalog only reports them).
    std::vector<std::string> transports() const;

    // Properties (map_props::*) of a type without opening a table; nullopt
    // when the type is unknown.  May load the module.
    std::optional<unsigned> props(std::string_view type);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ferry
