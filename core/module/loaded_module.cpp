// loaded_module.cpp - see loaded_module.h.
#include "module/loaded_module.h"

#include "log/msg.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>

namespace ferry::module {
namespace {

// A module lists its types in plain arrays; more than this is a corrupt
// descriptor, not a real module.
constexpr uint32_t max_entries = 4096;

std::string version_text(unsigned major, unsigned minor) {
    return std::to_string(major) + "." + std::to_string(minor);
}

// Copy a module-owned struct that begins with its own size, as far as both
// sides know it; the rest of `out` stays zero (absent).
template <class T> void copy_sized(T &out, const T *in, uint32_t declared) {
    out = T{};
    std::memcpy(&out, in, std::min<size_t>(declared, sizeof(T)));
}

} // namespace

std::shared_ptr<LoadedModule>
LoadedModule::load(const std::filesystem::path &file, AbiVersion host,
                   std::weak_ptr<HostServices> services, std::string &error) {
    const std::string shown = file.filename().string();
    std::error_code fs_ec;
    if (!std::filesystem::exists(file, fs_ec)) {
        error = file.string() + ": module file not found";
        return nullptr;
    }
    std::shared_ptr<LoadedModule> m(new LoadedModule());
    m->file_ = file;
    m->services_ = std::move(services);
    m->host_context_ = {m->services_, file.stem().string()};
    m->host_ = host_table(&m->host_context_);

    boost::dll::fs::error_code ec;
    ::dlerror(); // clear, so what we read below is this load's reason
    m->library_.load(file, ec, boost::dll::load_mode::rtld_now);
    if (ec) {
        const char *why = ::dlerror();
        error = file.string() + ": cannot load module: " +
                (why ? std::string(why) : ec.message());
        return nullptr;
    }
    if (!m->library_.has(FERRY_MODULE_ENTRY)) {
        error = file.string() + ": not a Ferry module: no " +
                FERRY_MODULE_ENTRY + " symbol";
        return nullptr;
    }
    const ferry_module *desc = nullptr;
    try {
        auto &entry = m->library_.get<const ferry_module *()>(FERRY_MODULE_ENTRY);
        desc = entry();
    } catch (const std::exception &e) {
        error = file.string() + ": " + FERRY_MODULE_ENTRY + " failed: " + e.what();
        return nullptr;
    } catch (...) {
        error = file.string() + ": " + FERRY_MODULE_ENTRY + " failed";
        return nullptr;
    }
    if (!desc) {
        error = file.string() + ": " + FERRY_MODULE_ENTRY +
                " returned no module descriptor";
        return nullptr;
    }
    // The first eight bytes are the same in every ABI: check the major
    // before trusting anything else.
    if (desc->abi_major != host.major) {
        error = shown + ": module ABI " +
                version_text(desc->abi_major, desc->abi_minor) +
                ", this Ferry speaks ABI " + version_text(host.major, host.minor) +
                " (" + file.string() + ")";
        return nullptr;
    }
    if (desc->size < abi_1_0_descriptor_size) {
        error = file.string() + ": module descriptor is " +
                std::to_string(desc->size) + " bytes, smaller than ABI " +
                version_text(FERRY_ABI_MAJOR, 0) + "'s " +
                std::to_string(abi_1_0_descriptor_size) + ": refusing it";
        return nullptr;
    }
    // A newer minor than ours is fine: its additions are appended and we
    // read only what ABI 1.0 defines, which its size covers.
    ferry_module d;
    copy_sized(d, desc, desc->size);
    m->abi_major_ = d.abi_major;
    m->abi_minor_ = d.abi_minor;
    m->name_ = d.name ? d.name : file.stem().string();
    m->host_context_.module = m->name_;
    m->version_ = d.version ? d.version : "";
    if (d.map_type_count > max_entries || d.transport_count > max_entries ||
        (d.map_type_count && !d.map_types) ||
        (d.transport_count && !d.transports)) {
        error = file.string() + ": corrupt module descriptor (type lists)";
        return nullptr;
    }
    // Type entries are laid out with the module's own entry size (their first
    // field), so a newer module's longer entries are stepped over correctly.
    const uint32_t map_stride = d.map_type_count ? d.map_types[0].size : 0;
    const uint32_t transport_stride = d.transport_count ? d.transports[0].size : 0;
    if ((d.map_type_count && map_stride < abi_1_0_map_type_size) ||
        (d.transport_count && transport_stride < abi_1_0_transport_type_size)) {
        error = file.string() + ": corrupt module descriptor (type entry size)";
        return nullptr;
    }
    for (uint32_t i = 0; i < d.map_type_count; ++i) {
        ferry_map_type t;
        copy_sized(t, reinterpret_cast<const ferry_map_type *>(
                          reinterpret_cast<const char *>(d.map_types) + size_t{i} * map_stride),
                   map_stride);
        ModuleMapType mt;
        mt.type = t.type ? t.type : "";
        mt.props = t.props;
        if (mt.type.empty()) continue;
        if (!t.ops) {
            mt.error = "no operations";
        } else if (t.ops->size < min_map_ops_size) {
            mt.error = "operations table is " + std::to_string(t.ops->size) +
                       " bytes, too small for open and lookup";
        } else {
            copy_sized(mt.ops, t.ops, t.ops->size);
            if (!mt.ops.open || !mt.ops.lookup)
                mt.error = "open or lookup is missing";
        }
        if (!mt.error.empty())
            mt.error = file.string() + ": map type " + mt.type + ": " + mt.error;
        m->map_types_.push_back(std::move(mt));
    }
    for (uint32_t i = 0; i < d.transport_count; ++i) {
        ferry_transport_type t;
        copy_sized(t, reinterpret_cast<const ferry_transport_type *>(
                          reinterpret_cast<const char *>(d.transports) + size_t{i} * transport_stride),
                   transport_stride);
        if (t.name) m->transports_.push_back(t.name);
    }

    if (d.init) {
        char err[error_buffer_size] = "";
        int rc = -1;
        try {
            ModuleCall call(m->services_, m->name_);
            rc = d.init(m->host(), err, sizeof err);
        } catch (...) {
            copy_error(err, sizeof err, "exception thrown from init()");
        }
        err[sizeof err - 1] = '\0';
        if (rc != 0) {
            error = file.string() + ": module initialization failed: " +
                    (err[0] ? err : "no reason given");
            return nullptr; // fini is not called: init did not succeed
        }
    }
    m->fini_ = d.fini;
    return m;
}

LoadedModule::~LoadedModule() {
    if (fini_) {
        try {
            ModuleCall call(services_, name_);
            fini_();
        } catch (...) {
        }
    }
}

const ModuleMapType *LoadedModule::map_type(std::string_view type) const {
    for (const auto &t : map_types_)
        if (t.type == type) return &t;
    return nullptr;
}

} // namespace ferry::module
