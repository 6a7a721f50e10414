// catalog.cpp - see catalog.h.  Splits "type:name", picks the built-in type
// or the registry's module (loaded once, on first use), and serves the host
// callbacks modules make (param, lookup).
#include "maps/catalog.h"

#include "config/config.h"
#include "ferry_build_config.h"
#include "log/msg.h"
#include "maps/builtin.h"
#include "maps/proxy_table.h"
#include "config/values.h"
#include "module/loaded_module.h"
#include "module/module_map.h"
#include "module/module_path.h"
#include "module/registry.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

namespace ferry {

namespace {

const BuiltinType *find_builtin(std::string_view type) {
    for (const auto &b : builtin_types())
        if (type == b.type) return &b;
    return nullptr;
}

} // namespace

CatalogOptions default_catalog_options() {
    CatalogOptions o;
    const char *reg = std::getenv("FERRY_REGISTRY_DIR");
    o.registry_dir = reg && *reg ? reg : FERRY_REGISTRY_DIR;
    if (const char *path = std::getenv("FERRY_MODULE_PATH")) {
        std::string_view rest = path;
        while (!rest.empty()) {
            size_t colon = rest.find(':');
            auto dir = rest.substr(0, colon);
            if (!dir.empty()) o.module_path.emplace_back(std::string(dir));
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
    }
    o.module_path.emplace_back(FERRY_MODULE_DIR);
    return o;
}

CatalogOptions catalog_options(const Config &cfg) {
    auto o = default_catalog_options();
    o.param = [&cfg](std::string_view name) { return cfg.get(name); };
    return o;
}

constexpr std::string_view proxy_type = "proxy";

struct MapCatalog::Impl {
    struct Services : module::HostServices {
        Impl *impl;
        explicit Services(Impl *i) : impl(i) {}
        std::optional<std::string> param(std::string_view name) override {
            if (!impl->options.param) return std::nullopt;
            return impl->options.param(name);
        }
        LookupResult lookup(std::string_view table, std::string_view key) override {
            return impl->host_lookup(table, key);
        }
    };

    MapCatalog *owner; // proxy: tables opened in-process go through it
    CatalogOptions options;
    module::Registry registry;
    mutable std::recursive_mutex mutex; // module init may call back in
    std::map<std::string, std::shared_ptr<module::LoadedModule>> modules;
    std::map<std::string, std::string> failed; // registry file -> why
    std::map<std::string, std::unique_ptr<Map>, std::less<>> host_tables;
    std::shared_ptr<Services> services = std::make_shared<Services>(this);

    Impl(MapCatalog *catalog, CatalogOptions o)
        : owner(catalog), options(std::move(o)), registry(module::Registry::load(options.registry_dir)) {
        std::vector<std::string> shadowed;
        for (const auto &e : registry.maps())
            if (find_builtin(e.name)) {
                msg::warning(e.where() + ": map type \"" + e.name +
                             "\" is built into Ferry; ignoring module " + e.file);
                shadowed.push_back(e.name);
            }
        for (const auto &name : shadowed) registry.forget_map(name);
    }

    // The module serving a registry entry, loading it on first use.
    std::shared_ptr<module::LoadedModule> module_for(const module::RegistryEntry &e,
                                                     std::string &error) {
        std::lock_guard lock(mutex);
        if (auto f = failed.find(e.file); f != failed.end()) {
            error = f->second;
            return nullptr;
        }
        auto path = module::find_module_file(e.file, options.module_path, error);
        if (path) {
            auto key = path->lexically_normal().string();
            if (auto m = modules.find(key); m != modules.end()) return m->second;
            auto m = module::LoadedModule::load(*path, {}, services, error);
            if (m) {
                modules.emplace(key, m);
                return m;
            }
        }
        failed.emplace(e.file, error);
        return nullptr;
    }

    OpenedMap open(std::string_view spec, unsigned flags) {
        size_t colon = spec.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == spec.size())
            return {nullptr, "open dictionary: expecting \"type:name\" form "
                             "instead of \"" + std::string(spec) + "\""};
        std::string_view type = spec.substr(0, colon), name = spec.substr(colon + 1);
        try {
            if (type == proxy_type) return open_proxy(name, flags);
            if (const BuiltinType *b = find_builtin(type)) return b->open(name, flags);
            std::string conflict = registry.map_conflict(type);
            if (!conflict.empty()) return {nullptr, std::string(spec) + ": " + conflict};
            const module::RegistryEntry *entry = registry.find_map(type);
            if (!entry)
                return {nullptr, "unsupported dictionary type: " + std::string(type)};
            std::string error;
            auto m = module_for(*entry, error);
            if (!m) return {nullptr, std::string(spec) + ": " + error};
            const module::ModuleMapType *t = m->map_type(type);
            if (!t)
                return {nullptr, std::string(spec) + ": " + m->file().string() +
                                     " does not provide map type \"" +
                                     std::string(type) + "\" (registry " +
                                     entry->where() + ")"};
            return module::open_module_map(m, *t, name, flags);
        } catch (const std::exception &e) {
            return {nullptr, std::string(spec) + ": " + e.what()};
        }
    }

    // "proxy:type:name": approved by proxy_read_maps when the catalog has
    // the parameters (a command like postmap -q, without them, looks up
    // the table itself, as Postfix's proxymap would).
    OpenedMap open_proxy(std::string_view table, unsigned flags) {
        bool approved = true;
        int timeout = 3600;
        if (options.param) {
            auto approved_tables = approved_proxy_tables(options.param("proxy_read_maps").value_or(""));
            approved = approved_tables.count(strip_proxy(table)) > 0;
            timeout = config::time_seconds(options.param("ipc_timeout").value_or(""), timeout);
        }
        return open_proxy_table(table, approved, proxy_service(), timeout, *owner, flags);
    }

    LookupResult host_lookup(std::string_view table, std::string_view key) {
        Map *map = nullptr;
        {
            std::lock_guard lock(mutex);
            auto it = host_tables.find(table);
            if (it == host_tables.end()) {
                OpenedMap opened = open(table, map_flags::lookup_default);
                if (!opened.map) return LookupResult::temp_fail(opened.error);
                it = host_tables.emplace(std::string(table), std::move(opened.map)).first;
            }
            map = it->second.get();
        }
        // Not under the catalog lock: a slow table must not stall the others.
        return map->lookup(key);
    }
};

MapCatalog::MapCatalog(CatalogOptions options)
    : impl_(std::make_unique<Impl>(this, std::move(options))) {}

MapCatalog::~MapCatalog() = default;

OpenedMap MapCatalog::open(std::string_view spec, unsigned flags) {
    return impl_->open(spec, flags);
}

std::vector<std::string> MapCatalog::types() const {
    std::vector<std::string> out;
    for (const auto &b : builtin_types()) out.emplace_back(b.type);
    out.emplace_back(proxy_type);
    for (const auto &e : impl_->registry.maps()) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::string> MapCatalog::transports() const {
    std::vector<std::string> out;
    for (const auto &e : impl_->registry.transports()) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<unsigned> MapCatalog::props(std::string_view type) {
    if (type == proxy_type) return map_props::blocking;
    if (const BuiltinType *b = find_builtin(type)) return b->props;
    if (!impl_->registry.map_conflict(type).empty()) return std::nullopt;
    const module::RegistryEntry *entry = impl_->registry.find_map(type);
    if (!entry) return std::nullopt;
    std::string error;
    auto m = impl_->module_for(*entry, error);
    if (!m) return std::nullopt;
    const module::ModuleMapType *t = m->map_type(type);
    if (!t) return std::nullopt;
    return t->props;
}

} // namespace ferry
