// transport.cpp - see transport.h.  Registry look-up and module loading as
// the map catalog does them (module_path, LoadedModule); the C request is
// built from the C++ one, and the module's reports are collected and
// checked before they become results.
#include "module/transport.h"

#include "log/msg.h"
#include "module/module_path.h"
#include "module/registry.h"

#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstring>
#include <map>

namespace ferry::module {
namespace {

// Bytes of ferry_transport_ops a usable transport needs: size, open, deliver.
constexpr uint32_t min_transport_ops_size =
    offsetof(ferry_transport_ops, deliver) + sizeof(ferry_transport_ops::deliver);

// Copy a module-owned struct that begins with its own size, as far as both
// sides know it; the rest stays zero (absent).
template <class T> T copy_sized(const T *in, uint32_t declared) {
    T out{};
    std::memcpy(&out, in, std::min<size_t>(declared, sizeof(T)));
    return out;
}

// LoadedModule records only the names of a module's transports, so their
// operations are read here from the descriptor, which LoadedModule::load
// has already checked (major version, descriptor size, entry size).  The
// library handle below is the one already loaded (the loader counts
// references); the caller's LoadedModule keeps the code mapped afterwards.
bool read_transport_ops(const LoadedModule &module, std::string_view name,
                        ferry_transport_ops &ops, std::string &why) {
    const std::string file = module.file().string();
    boost::dll::fs::error_code ec;
    boost::dll::shared_library library(module.file(), ec,
                                       boost::dll::load_mode::rtld_now);
    if (ec || !library.has(FERRY_MODULE_ENTRY)) {
        why = file + ": cannot find " + FERRY_MODULE_ENTRY + " again";
        return false;
    }
    const ferry_module *desc =
        library.get<const ferry_module *()>(FERRY_MODULE_ENTRY)();
    if (!desc) {
        why = file + ": " + FERRY_MODULE_ENTRY + " returned no module descriptor";
        return false;
    }
    const ferry_module d = copy_sized(desc, desc->size);
    if (!d.transports || d.transport_count == 0) {
        why = file + ": provides no transports";
        return false;
    }
    const uint32_t stride = d.transports[0].size;
    for (uint32_t i = 0; i < d.transport_count; ++i) {
        const auto t = copy_sized(
            reinterpret_cast<const ferry_transport_type *>(
                reinterpret_cast<const char *>(d.transports) + size_t{i} * stride),
            stride);
        if (!t.name || name != t.name) continue;
        if (!t.ops) {
            why = file + ": transport " + std::string(name) + ": no operations";
            return false;
        }
        if (t.ops->size < min_transport_ops_size) {
            why = file + ": transport " + std::string(name) +
                  ": operations table is " + std::to_string(t.ops->size) +
                  " bytes, too small for open and deliver";
            return false;
        }
        ops = copy_sized(t.ops, t.ops->size);
        if (!ops.open || !ops.deliver) {
            why = file + ": transport " + std::string(name) +
                  ": open or deliver is missing";
            return false;
        }
        return true;
    }
    why = file + ": does not provide transport \"" + std::string(name) + "\"";
    return false;
}

const char *default_dsn(DeliveryStatus status) {
    switch (status) {
    case DeliveryStatus::Delivered: return "2.0.0";
    case DeliveryStatus::Bounced: return "5.3.0";
    case DeliveryStatus::Deferred: break;
    }
    return "4.3.0";
}

// "c.s.d" with the class matching the status: 2 delivered, 4 deferred,
// 5 bounced (RFC 3463: class, subject 1-3 digits, detail 1-3 digits).
bool dsn_fits(std::string_view dsn, DeliveryStatus status) {
    const char want = status == DeliveryStatus::Delivered ? '2'
                      : status == DeliveryStatus::Bounced ? '5'
                                                          : '4';
    if (dsn.size() < 5 || dsn[0] != want || dsn[1] != '.') return false;
    size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        size_t digits = 0;
        while (i < dsn.size() && dsn[i] >= '0' && dsn[i] <= '9') ++i, ++digits;
        if (digits < 1 || digits > 3) return false;
        if (part == 0) {
            if (i >= dsn.size() || dsn[i] != '.') return false;
            ++i;
        }
    }
    return i == dsn.size();
}

// What a module's report() calls reach: one slot per recipient.
struct Collector {
    std::vector<RecipientResult> results;
    std::vector<bool> reported;
    std::string who; // "transport maildir (module transport-maildir.so)"
};

void collect(void *ctx, size_t index, int status, const char *dsn,
             const char *text) noexcept {
    try {
        auto &c = *static_cast<Collector *>(ctx);
        if (index >= c.results.size()) {
            msg::warning(c.who + ": report for recipient #" +
                         std::to_string(index) + " of " +
                         std::to_string(c.results.size()) + " ignored");
            return;
        }
        RecipientResult r;
        switch (status) {
        case FERRY_DELIVERED: r.status = DeliveryStatus::Delivered; break;
        case FERRY_DEFERRED: r.status = DeliveryStatus::Deferred; break;
        case FERRY_BOUNCED: r.status = DeliveryStatus::Bounced; break;
        default:
            r = {DeliveryStatus::Deferred, "4.3.0",
                 c.who + " reported invalid delivery status " + std::to_string(status)};
            msg::warning(r.text);
            c.results[index] = std::move(r);
            c.reported[index] = true;
            return;
        }
        r.dsn = dsn ? dsn : "";
        r.text = text ? text : "";
        if (!dsn_fits(r.dsn, r.status)) {
            msg::warning(c.who + ": status code \"" + r.dsn +
                         "\" does not fit the reported outcome; using " +
                         default_dsn(r.status));
            r.dsn = default_dsn(r.status);
        }
        c.results[index] = std::move(r);
        c.reported[index] = true;
    } catch (...) {
        // Out of memory: the recipient stays unreported, hence deferred.
    }
}

const char *or_null(const std::string &s) { return s.empty() ? nullptr : s.c_str(); }

} // namespace

// ------------------------------------------------------------------ Transport

Transport::Transport(std::shared_ptr<LoadedModule> module, std::string name,
                     std::string service, const ferry_transport_ops &ops,
                     void *handle)
    : module_(std::move(module)), name_(std::move(name)),
      service_(std::move(service)), ops_(ops), handle_(handle) {}

Transport::~Transport() {
    if (!ops_.close) return;
    try {
        ModuleCall call(module_->services(), module_->name());
        ops_.close(handle_);
    } catch (...) {
    }
}

std::vector<RecipientResult> Transport::deliver(const DeliveryRequest &request) {
    Collector c;
    c.who = "transport " + name_ + " (module " + module_->file_name() + ")";
    c.results.resize(request.recipients.size());
    c.reported.assign(request.recipients.size(), false);

    std::vector<ferry_recipient> recipients;
    recipients.reserve(request.recipients.size());
    for (const auto &r : request.recipients)
        recipients.push_back({r.address.c_str(), r.orig_address.c_str(),
                              or_null(r.dsn_orcpt), r.dsn_notify});

    ferry_delivery d{};
    d.size = sizeof(ferry_delivery);
    d.queue_id = request.queue_id.c_str();
    d.sender = request.sender.c_str();
    d.nexthop = request.nexthop.c_str();
    d.recipients = recipients.data();
    d.recipient_count = recipients.size();
    d.message_fd = request.message_fd;
    d.message_size = request.message_size;
    d.client_name = request.client.name.c_str();
    d.client_addr = request.client.addr.c_str();
    d.client_helo = request.client.helo.c_str();
    d.client_protocol = request.client.protocol.c_str();
    d.dsn_envid = or_null(request.dsn_envid);
    d.dsn_ret = request.dsn_ret;
    d.report_ctx = &c;
    d.report = collect;

    char err[error_buffer_size];
    err[0] = '\0';
    int rc;
    {
        std::lock_guard lock(mutex_);
        try {
            ModuleCall call(module_->services(), module_->name());
            rc = ops_.deliver(handle_, &d, err, sizeof err);
        } catch (...) {
            rc = -1;
            copy_error(err, sizeof err, c.who + " threw an exception from deliver()");
        }
    }
    err[sizeof err - 1] = '\0';

    std::string failure;
    if (rc != 0)
        failure = err[0] ? std::string(err)
                         : c.who + ": delivery failed (no reason given)";
    for (size_t i = 0; i < c.results.size(); ++i) {
        if (rc != 0 && (!c.reported[i] ||
                        c.results[i].status == DeliveryStatus::Deferred)) {
            // Keep a per-recipient deferral's own reason; defer the rest with
            // the module's.  Delivered and bounced stay as reported: turning
            // them into deferrals would deliver or bounce twice.
            if (!c.reported[i]) c.results[i] = {DeliveryStatus::Deferred, "4.3.0", failure};
            continue;
        }
        if (!c.reported[i])
            c.results[i] = {DeliveryStatus::Deferred, "4.3.0",
                            "delivery status unknown: " + c.who +
                                " did not report this recipient"};
    }
    return std::move(c.results);
}

// -------------------------------------------------------------- TransportHost

struct TransportHost::Impl {
    struct Services : HostServices {
        Impl *impl;
        explicit Services(Impl *i) : impl(i) {}
        std::optional<std::string> param(std::string_view name) override {
            if (!impl->options.param) return std::nullopt;
            return impl->options.param(name);
        }
        LookupResult lookup(std::string_view table, std::string_view key) override {
            if (!impl->tables)
                return LookupResult::temp_fail(std::string(table) +
                                               ": no tables available to transports");
            OpenedMap opened;
            Map *map = nullptr;
            {
                std::lock_guard lock(impl->mutex);
                auto it = impl->host_tables.find(table);
                if (it == impl->host_tables.end()) {
                    opened = impl->tables->open(table, map_flags::lookup_default);
                    if (!opened.map) return LookupResult::temp_fail(opened.error);
                    it = impl->host_tables.emplace(std::string(table),
                                                   std::move(opened.map)).first;
                }
                map = it->second.get();
            }
            return map->lookup(key);
        }
    };

    CatalogOptions options;
    MapCatalog *tables;
    Registry registry;
    mutable std::recursive_mutex mutex; // module init may call back in
    std::map<std::string, std::shared_ptr<LoadedModule>> modules; // by path
    std::map<std::string, std::string> failed; // registry file -> why
    std::map<std::string, std::unique_ptr<Map>, std::less<>> host_tables;
    std::shared_ptr<Services> services = std::make_shared<Services>(this);

    Impl(CatalogOptions o, MapCatalog *t)
        : options(std::move(o)), tables(t), registry(Registry::load(options.registry_dir)) {}

    std::shared_ptr<LoadedModule> module_for(const RegistryEntry &e, std::string &error) {
        std::lock_guard lock(mutex);
        if (auto f = failed.find(e.file); f != failed.end()) {
            error = f->second;
            return nullptr;
        }
        auto path = find_module_file(e.file, options.module_path, error);
        if (path) {
            auto key = path->lexically_normal().string();
            if (auto m = modules.find(key); m != modules.end()) return m->second;
            auto m = LoadedModule::load(*path, {}, services, error);
            if (m) {
                modules.emplace(key, m);
                return m;
            }
        }
        failed.emplace(e.file, error);
        return nullptr;
    }
};

TransportHost::TransportHost(CatalogOptions options, MapCatalog *tables)
    : impl_(std::make_unique<Impl>(std::move(options), tables)) {}

TransportHost::~TransportHost() = default;

OpenedTransport TransportHost::open(std::string_view name, std::string_view service,
                                    std::vector<std::string> argv) {
    const std::string what = "transport " + std::string(name);
    try {
        const RegistryEntry *entry = impl_->registry.find_transport(name);
        if (!entry)
            return {nullptr, what + ": unknown transport: no module in the registry " +
                                 impl_->options.registry_dir.string() + " provides it"};
        std::string error;
        auto m = impl_->module_for(*entry, error);
        if (!m) return {nullptr, what + ": " + error};
        if (std::find(m->transports().begin(), m->transports().end(), name) ==
            m->transports().end())
            return {nullptr, what + ": " + m->file().string() +
                                 " does not provide transport \"" + std::string(name) +
                                 "\" (registry " + entry->where() + ")"};
        ferry_transport_ops ops{};
        if (!read_transport_ops(*m, name, ops, error)) return {nullptr, what + ": " + error};

        if (argv.empty()) argv.emplace_back(name);
        std::vector<const char *> args;
        for (const auto &a : argv) args.push_back(a.c_str());
        args.push_back(nullptr);
        const std::string service_name = service.empty() ? std::string(name) : std::string(service);

        char err[error_buffer_size];
        err[0] = '\0';
        void *handle = nullptr;
        try {
            ModuleCall call(m->services(), m->name());
            handle = ops.open(service_name.c_str(), static_cast<int>(argv.size()),
                              args.data(), m->host(), err, sizeof err);
        } catch (...) {
            return {nullptr, what + ": module " + m->file().string() +
                                 " threw an exception from open()"};
        }
        err[sizeof err - 1] = '\0';
        if (!handle)
            return {nullptr, what + ": cannot open with module " + m->file().string() +
                                 ": " + (err[0] ? err : "no reason given")};
        return {std::make_unique<Transport>(m, std::string(name), service_name, ops, handle),
                {}};
    } catch (const std::exception &e) {
        return {nullptr, what + ": " + e.what()};
    }
}

std::vector<std::string> TransportHost::transports() const {
    std::vector<std::string> out;
    for (const auto &e : impl_->registry.transports()) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace ferry::module
