// host_api.h - what the core offers modules through struct ferry_host, and
// the glue every call into a module goes through.
//
// Every module gets its own ferry_host whose ctx points at a HostContext
// (which module, on whose behalf), so callbacks work from any thread,
// including threads a module starts itself.  ModuleCall additionally marks
// the calling thread, which bounds nested lookups.
#pragma once

#include "maps/map.h"

#include <ferry/plugin.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::module {

// The services behind the callbacks, implemented by the catalog.
class HostServices {
public:
    virtual ~HostServices() = default;
    virtual std::optional<std::string> param(std::string_view name) = 0;
    virtual LookupResult lookup(std::string_view table, std::string_view key) = 0;
};

// Who a module's callbacks act for; owned by the LoadedModule, so its
// address is stable for the module's lifetime.
struct HostContext {
    std::weak_ptr<HostServices> services;
    std::string module;
};

// The ferry_host handed to one module; ctx may be null (tests), in which
// case callbacks use the thread's ModuleCall.
ferry_host host_table(HostContext *ctx);

// Marks the current thread as calling into `module` for `services`, for the
// duration of one call; nests (a module's lookup may reach another module).
class ModuleCall {
public:
    ModuleCall(const std::weak_ptr<HostServices> &services,
               const std::string &module);
    ~ModuleCall();
    ModuleCall(const ModuleCall &) = delete;
    ModuleCall &operator=(const ModuleCall &) = delete;

private:
    const std::weak_ptr<HostServices> *saved_services_;
    const std::string *saved_module_;
};

// Error buffers handed to modules: big enough for a database's message.
inline constexpr size_t error_buffer_size = 512;

// A sink that appends to a std::string.
ferry_sink string_sink(std::string &out);

// Copy text into a module-supplied buffer, truncated and NUL-terminated.
void copy_error(char *err, size_t errlen, std::string_view text);

// Deepest chain of host lookups (a module looking up in a table whose module
// looks up ...) before the host refuses: a loop in the configuration must
// fail, not exhaust the stack.
inline constexpr int max_lookup_depth = 8;

} // namespace ferry::module
