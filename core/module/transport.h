// transport.h - delivery agents served by modules: find a transport by name
// in the module registry, load its module, open it with its master.cf
// arguments, and deliver requests through its C operations.
//
// Promises:
//  - Every recipient of a request comes back with a result.  A recipient the
//    module never reported is deferred ("4.3.0"); a module that fails the
//    whole request (deliver() returns -1, or throws) defers every recipient
//    it had not already reported delivered or bounced, with its reason.
//  - Errors name the transport and the module file (or the registry, when
//    no module provides the name).
//  - Calls on one Transport are serialised (ABI 1 promises a module one
//    call at a time per handle); different Transports run in parallel.
#pragma once

#include "maps/catalog.h"
#include "module/loaded_module.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::module {

enum class DeliveryStatus { Delivered, Deferred, Bounced };

struct DeliveryRecipient {
    std::string address;      // the address to deliver to
    std::string orig_address; // before rewriting (X-Original-To), or empty
    std::string dsn_orcpt;    // RFC 3461 ORCPT, or empty for none
    unsigned dsn_notify = 0;  // FERRY_DSN_NOTIFY_* bits, 0 unspecified
};

struct ClientAttributes {
    std::string name;
    std::string addr;
    std::string helo;
    std::string protocol;
};

struct DeliveryRequest {
    std::string queue_id;
    std::string sender; // "" for the null sender
    std::string nexthop;
    std::vector<DeliveryRecipient> recipients;
    int message_fd = -1;       // readable, positioned at the first header
    uint64_t message_size = 0; // bytes of content to deliver from message_fd
    ClientAttributes client;
    std::string dsn_envid;
    int dsn_ret = 0; // 0 unspecified, 1 FULL, 2 HDRS
};

struct RecipientResult {
    DeliveryStatus status = DeliveryStatus::Deferred;
    std::string dsn;  // enhanced status code, "2.0.0", "4.3.0", "5.1.1"
    std::string text; // the reason, as for the delivery status logs
};

// One opened transport: a module handle and the module that serves it.
class Transport {
public:
    Transport(std::shared_ptr<LoadedModule> module, std::string name,
              std::string service, const ferry_transport_ops &ops,
              void *handle);
    ~Transport();
    Transport(const Transport &) = delete;
    Transport &operator=(const Transport &) = delete;

    // One result per request.recipients entry, in the same order.
    std::vector<RecipientResult> deliver(const DeliveryRequest &request);

    const std::string &name() const { return name_; }       // "maildir"
    const std::string &service() const { return service_; } // master.cf name
    const LoadedModule &module() const { return *module_; }

private:
    std::shared_ptr<LoadedModule> module_;
    std::string name_;
    std::string service_;
    ferry_transport_ops ops_;
    void *handle_;
    std::mutex mutex_;
};

struct OpenedTransport {
    std::unique_ptr<Transport> transport; // null on failure
    std::string error;                    // why, when null
};

// The transports of one registry.  Thread-safe; a Transport may outlive the
// host that opened it (it keeps its module loaded), but its module's host
// callbacks then see no parameters or tables.
class TransportHost {
public:
    // Registry, module path and parameters as the map catalog takes them
    // (default_catalog_options()).  Modules' table lookups go to `tables`
    // when given; it must outlive this host.
    explicit TransportHost(CatalogOptions options, MapCatalog *tables = nullptr);
    ~TransportHost();
    TransportHost(const TransportHost &) = delete;
    TransportHost &operator=(const TransportHost &) = delete;

    // Open transport `name` (the registry's name, master.cf's command) for
    // service `service` (master.cf's service name) with master.cf's command
    // arguments; argv[0] is the program name and defaults to `name` when
    // argv is empty.
    OpenedTransport open(std::string_view name, std::string_view service,
                         std::vector<std::string> argv);

    // Transport names listed in the registry, sorted.
    std::vector<std::string> transports() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ferry::module
