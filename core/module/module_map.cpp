// module_map.cpp - see module_map.h.
#include "module/module_map.h"

namespace ferry::module {
namespace {

struct ErrorBuffer {
    // Only the first byte is cleared: lookups are the hot path, and
    // zeroing the whole buffer on every call shows in a profile.
    ErrorBuffer() { text[0] = '\0'; }
    char text[error_buffer_size];
    // Modules promise NUL-termination; do not rely on it.
    const char *get() {
        text[sizeof text - 1] = '\0';
        return text;
    }
};

} // namespace

// A plain guard: lookups are the hot path, so no allocation or type erasure.
class ModuleMap::Guard {
public:
    explicit Guard(ModuleMap &map) : map_(map), ok_(map.enter()) {}
    ~Guard() {
        if (ok_) map_.leave();
    }
    Guard(const Guard &) = delete;
    Guard &operator=(const Guard &) = delete;
    explicit operator bool() const { return ok_; }

private:
    ModuleMap &map_;
    bool ok_;
};

OpenedMap open_module_map(std::shared_ptr<LoadedModule> module,
                          const ModuleMapType &type, std::string_view name,
                          unsigned flags) {
    const std::string spec = type.type + ":" + std::string(name);
    if (!type.error.empty()) return {nullptr, spec + ": " + type.error};
    ErrorBuffer err;
    void *handle = nullptr;
    const std::string name_copy(name);
    try {
        ModuleCall call(module->services(), module->name());
        handle = type.ops.open(type.type.c_str(), name_copy.c_str(), flags,
                               module->host(), err.text, sizeof err.text);
    } catch (...) {
        return {nullptr, spec + ": module " + module->file_name() +
                             " threw an exception from open()"};
    }
    if (!handle) {
        const char *why = err.get();
        return {nullptr, *why ? std::string(why)
                              : spec + ": cannot open table (module " +
                                    module->file_name() + " gave no reason)"};
    }
    return {std::make_unique<ModuleMap>(std::move(module), type, name_copy,
                                        handle),
            {}};
}

ModuleMap::ModuleMap(std::shared_ptr<LoadedModule> module,
                     const ModuleMapType &type, std::string name, void *handle)
    : Map(type.type, std::move(name), type.props), module_(std::move(module)),
      ops_(type.ops), handle_(handle) {}

ModuleMap::~ModuleMap() {
    if (!ops_.close) return;
    try {
        ModuleCall call(module_->services(), module_->name());
        ops_.close(handle_);
    } catch (...) {
    }
}

bool ModuleMap::enter() {
    if (owner_.load() == std::this_thread::get_id()) return false;
    mutex_.lock();
    owner_.store(std::this_thread::get_id());
    return true;
}

void ModuleMap::leave() {
    owner_.store(std::thread::id{});
    mutex_.unlock();
}

std::string ModuleMap::reason(const char *err, const char *what) const {
    // A module's own reason names its table or file (as Postfix's drivers
    // do); callers add "table SPEC:" where Postfix does.
    return *err ? std::string(err) : spec() + ": " + what;
}

LookupResult ModuleMap::lookup(std::string_view key) {
    Guard entered(*this);
    if (!entered)
        return LookupResult::temp_fail(spec() + ": table lookup loops back "
                                                "to itself");
    ErrorBuffer err;
    std::string value;
    ferry_sink sink = string_sink(value);
    int rc;
    try {
        ModuleCall call(module_->services(), module_->name());
        rc = ops_.lookup(handle_, key.data(), key.size(), &sink, err.text,
                         sizeof err.text);
    } catch (...) {
        return LookupResult::temp_fail(spec() + ": module threw an exception");
    }
    switch (rc) {
    case FERRY_FOUND: return LookupResult::found(std::move(value));
    case FERRY_NOTFOUND: return LookupResult::not_found();
    case FERRY_TEMPFAIL:
        return LookupResult::temp_fail(reason(err.get(), "lookup failed"));
    case FERRY_CONFIG:
        return LookupResult::temp_fail(
            reason(err.get(), "table is misconfigured"));
    default:
        return LookupResult::temp_fail(spec() + ": module returned invalid "
                                                "lookup status " +
                                       std::to_string(rc));
    }
}

std::optional<MapError> ModuleMap::update(std::string_view key,
                                          std::string_view value) {
    if (!ops_.update) return Map::update(key, value);
    Guard entered(*this);
    if (!entered) return MapError{spec() + ": table update loops back to itself"};
    ErrorBuffer err;
    int rc;
    try {
        ModuleCall call(module_->services(), module_->name());
        rc = ops_.update(handle_, key.data(), key.size(), value.data(),
                         value.size(), err.text, sizeof err.text);
    } catch (...) {
        return MapError{spec() + ": module threw an exception"};
    }
    // NOTFOUND: the key existed and the first value was kept (plugin.h).
    if (rc == FERRY_FOUND || rc == FERRY_NOTFOUND) return std::nullopt;
    return MapError{reason(err.get(), "update failed")};
}

LookupResult ModuleMap::remove(std::string_view key) {
    if (!ops_.remove) return Map::remove(key);
    Guard entered(*this);
    if (!entered)
        return LookupResult::temp_fail(spec() + ": table lookup loops back "
                                                "to itself");
    ErrorBuffer err;
    int rc;
    try {
        ModuleCall call(module_->services(), module_->name());
        rc = ops_.remove(handle_, key.data(), key.size(), err.text,
                         sizeof err.text);
    } catch (...) {
        return LookupResult::temp_fail(spec() + ": module threw an exception");
    }
    if (rc == FERRY_FOUND) return LookupResult::found({});
    if (rc == FERRY_NOTFOUND) return LookupResult::not_found();
    return LookupResult::temp_fail(reason(err.get(), "delete failed"));
}

LookupStatus ModuleMap::sequence(bool first, Entry &out, std::string &why) {
    if (!ops_.sequence) return Map::sequence(first, out, why);
    Guard entered(*this);
    if (!entered) {
        why = spec() + ": table sequence loops back to itself";
        return LookupStatus::TempFail;
    }
    ErrorBuffer err;
    std::string key, value;
    ferry_sink ksink = string_sink(key), vsink = string_sink(value);
    int rc;
    try {
        ModuleCall call(module_->services(), module_->name());
        rc = ops_.sequence(handle_, first ? FERRY_SEQ_FIRST : FERRY_SEQ_NEXT,
                           &ksink, &vsink, err.text, sizeof err.text);
    } catch (...) {
        why = spec() + ": module threw an exception";
        return LookupStatus::TempFail;
    }
    if (rc == FERRY_FOUND) {
        out.key = std::move(key);
        out.value = std::move(value);
        return LookupStatus::Found;
    }
    if (rc == FERRY_NOTFOUND) return LookupStatus::NotFound;
    why = reason(err.get(), "sequence failed");
    return LookupStatus::TempFail;
}

std::optional<MapError> ModuleMap::commit() {
    if (!ops_.commit) return std::nullopt; // nothing to make durable
    Guard entered(*this);
    if (!entered) return MapError{spec() + ": table commit loops back to itself"};
    ErrorBuffer err;
    int rc;
    try {
        ModuleCall call(module_->services(), module_->name());
        rc = ops_.commit(handle_, err.text, sizeof err.text);
    } catch (...) {
        return MapError{spec() + ": module threw an exception"};
    }
    if (rc == FERRY_FOUND) return std::nullopt;
    return MapError{reason(err.get(), "commit failed")};
}

} // namespace ferry::module
