// host_api.cpp - see host_api.h.
#include "module/host_api.h"

#include "log/msg.h"

#include <cstring>

namespace ferry::module {
namespace {

thread_local const std::weak_ptr<HostServices> *t_services = nullptr;
thread_local const std::string *t_module = nullptr;
thread_local int t_lookup_depth = 0;

std::shared_ptr<HostServices> current_services(void *ctx) {
    if (ctx) return static_cast<HostContext *>(ctx)->services.lock();
    return t_services ? t_services->lock() : nullptr;
}

// Module messages are logged as the module wrote them: like Postfix's table
// drivers, a module names the table or file it is talking about, so
// postmap's output reads the same with Ferry's modules.
void host_log(void *, int level, const char *message) noexcept {
    try {
        if (!message) return;
        std::string line = message;
        switch (level) {
        case FERRY_LOG_INFO: msg::info(line); break;
        case FERRY_LOG_WARNING: msg::warning(line); break;
        // A module never ends the process; the host decides what a failed
        // open or lookup means.
        default: msg::error(line); break;
        }
    } catch (...) {
    }
}

int host_param(void *ctx, const char *name, ferry_sink *out) noexcept {
    try {
        auto services = current_services(ctx);
        if (!services || !name) return 0;
        auto value = services->param(name);
        if (!value) return 0;
        if (out && out->put) out->put(out->ctx, value->data(), value->size());
        return 1;
    } catch (...) {
        return 0;
    }
}

int host_lookup(void *ctx, const char *table, const char *key, size_t keylen,
                ferry_sink *out, char *err, size_t errlen) noexcept {
    try {
        auto services = current_services(ctx);
        if (!services || !table || !key) {
            copy_error(err, errlen, "host lookup: no host context");
            return FERRY_CONFIG;
        }
        if (t_lookup_depth >= max_lookup_depth) {
            copy_error(err, errlen, std::string(table) +
                                        ": table lookups nested too deeply "
                                        "(a table looks itself up?)");
            return FERRY_CONFIG;
        }
        ++t_lookup_depth;
        LookupResult r;
        try {
            r = services->lookup(table, std::string_view(key, keylen));
        } catch (...) {
            --t_lookup_depth;
            throw;
        }
        --t_lookup_depth;
        switch (r.status) {
        case LookupStatus::Found:
            if (out && out->put) out->put(out->ctx, r.value.data(), r.value.size());
            return FERRY_FOUND;
        case LookupStatus::NotFound: return FERRY_NOTFOUND;
        case LookupStatus::TempFail: break;
        }
        copy_error(err, errlen, r.reason);
        return FERRY_TEMPFAIL;
    } catch (...) {
        copy_error(err, errlen, "host lookup failed");
        return FERRY_TEMPFAIL;
    }
}

void append(void *ctx, const char *data, size_t len) {
    if (data && len) static_cast<std::string *>(ctx)->append(data, len);
}

} // namespace

ferry_host host_table(HostContext *ctx) {
    return ferry_host{
        static_cast<uint32_t>(sizeof(ferry_host)),
        FERRY_ABI_MAJOR,
        FERRY_ABI_MINOR,
        ctx,
        host_log,
        host_param,
        host_lookup,
    };
}

ModuleCall::ModuleCall(const std::weak_ptr<HostServices> &services,
                       const std::string &module)
    : saved_services_(t_services), saved_module_(t_module) {
    t_services = &services;
    t_module = &module;
}

ModuleCall::~ModuleCall() {
    t_services = saved_services_;
    t_module = saved_module_;
}

ferry_sink string_sink(std::string &out) { return ferry_sink{&out, append}; }

void copy_error(char *err, size_t errlen, std::string_view text) {
    if (!err || errlen == 0) return;
    size_t n = std::min(text.size(), errlen - 1);
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

} // namespace ferry::module
