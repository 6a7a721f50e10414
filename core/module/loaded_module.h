// loaded_module.h - one module file, loaded and checked against ABI 1.
//
// load() opens the file with Boost.DLL, calls its ferry_module_entry, checks
// the descriptor (major version, size) and copies from it only the fields
// the module's declared size covers, then runs the module's init().  Every
// way a file can be wrong gets its own message naming the file.  The
// library stays loaded as long as the LoadedModule lives; each map opened
// from it holds a shared_ptr, so unloading never pulls code from under a
// live handle.
//
// A module that crashes (segfault, abort) takes its process down; that is
// contained by the process model (modules run in daemons that the master
// restarts), not here.  Everything short of that is caught at this boundary.
#pragma once

#include "module/host_api.h"

#include <ferry/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::module {

struct AbiVersion {
    uint16_t major = FERRY_ABI_MAJOR;
    uint16_t minor = FERRY_ABI_MINOR;
};

// Bytes of the ABI 1.0 descriptor: everything up to and including fini.
// A smaller descriptor cannot be read safely and is refused.
inline constexpr uint32_t abi_1_0_descriptor_size =
    offsetof(ferry_module, fini) + sizeof(ferry_module::fini);
// Bytes of the ABI 1.0 type entries: everything up to and including ops.
inline constexpr uint32_t abi_1_0_map_type_size =
    offsetof(ferry_map_type, ops) + sizeof(ferry_map_type::ops);
inline constexpr uint32_t abi_1_0_transport_type_size =
    offsetof(ferry_transport_type, ops) + sizeof(ferry_transport_type::ops);
// Bytes of ferry_map_ops a usable map type needs: size, open, lookup.
inline constexpr uint32_t min_map_ops_size =
    offsetof(ferry_map_ops, lookup) + sizeof(ferry_map_ops::lookup);

struct ModuleMapType {
    std::string type;
    unsigned props = 0;
    // The module's ops copied as far as its declared size reaches; fields
    // it did not declare are null here.
    ferry_map_ops ops{};
    std::string error; // set when the entry is unusable (why)
};

class LoadedModule {
public:
    // Load `file`; on failure returns null and sets `error`.
    static std::shared_ptr<LoadedModule>
    load(const std::filesystem::path &file, AbiVersion host,
         std::weak_ptr<HostServices> services, std::string &error);

    ~LoadedModule();
    LoadedModule(const LoadedModule &) = delete;
    LoadedModule &operator=(const LoadedModule &) = delete;

    const std::string &name() const { return name_; }
    const std::string &version() const { return version_; }
    const std::filesystem::path &file() const { return file_; }
    // The file name used in messages ("maps-foo.so").
    std::string file_name() const { return file_.filename().string(); }
    uint16_t abi_major() const { return abi_major_; }
    uint16_t abi_minor() const { return abi_minor_; }

    const std::vector<ModuleMapType> &map_types() const { return map_types_; }
    const ModuleMapType *map_type(std::string_view type) const;
    const std::vector<std::string> &transports() const { return transports_; }

    const std::weak_ptr<HostServices> &services() const { return services_; }

private:
    LoadedModule() = default;

    boost::dll::shared_library library_;
    std::filesystem::path file_;
    std::string name_;
    std::string version_;
    uint16_t abi_major_ = 0;
    uint16_t abi_minor_ = 0;
    void (*fini_)(void) = nullptr;
    std::vector<ModuleMapType> map_types_;
    std::vector<std::string> transports_;
    std::weak_ptr<HostServices> services_;
    HostContext host_context_;
    ferry_host host_{};

public:
    // The ferry_host this module's calls receive.
    const ferry_host *host() const { return &host_; }
};

} // namespace ferry::module
