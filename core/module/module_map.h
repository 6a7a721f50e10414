// module_map.h - a table served by a module: adapts the module's opaque
// handle and C functions to ferry::Map.
//
// Every call runs inside a ModuleCall (so host callbacks know who calls),
// with a fresh error buffer, and catches anything thrown.  ABI 1 lets a
// module assume one call at a time per handle, so calls on one ModuleMap are
// serialised here; different maps run in parallel.  A call that comes back
// to the same table on the same thread (a table that, through the host's
// lookup callback, looks itself up) fails with a temporary error instead of
// deadlocking.
#pragma once

#include "maps/map.h"
#include "module/loaded_module.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace ferry::module {

// Open `name` of map type `type` from `module`.  Errors are prefixed with
// the table ("hash:/etc/x: ...").
OpenedMap open_module_map(std::shared_ptr<LoadedModule> module,
                          const ModuleMapType &type, std::string_view name,
                          unsigned flags);

class ModuleMap : public Map {
public:
    ModuleMap(std::shared_ptr<LoadedModule> module, const ModuleMapType &type,
              std::string name, void *handle);
    ~ModuleMap() override;

    LookupResult lookup(std::string_view key) override;
    std::optional<MapError> update(std::string_view key,
                                   std::string_view value) override;
    LookupResult remove(std::string_view key) override;
    LookupStatus sequence(bool first, Entry &out, std::string &why) override;
    std::optional<MapError> commit() override;

private:
    // Take the handle's lock; false when this thread already holds it.
    bool enter();
    void leave();
    // Holds the lock for one call (if enter() succeeded) and releases it.
    class Guard;

    // The module's reason as written, or a fallback naming the table.
    std::string reason(const char *err, const char *what) const;

    std::shared_ptr<LoadedModule> module_;
    ferry_map_ops ops_;
    void *handle_;
    std::mutex mutex_;
    std::atomic<std::thread::id> owner_{};
};

} // namespace ferry::module
