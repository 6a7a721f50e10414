// module.cpp - the transport-maildir module's C face: the descriptor Ferry
// loads and the "maildir" transport's operations.
//
// Each entry point converts between the C ABI and maildir.h and catches
// every exception, so nothing C++ crosses the boundary.  A failure that
// concerns one recipient is reported for that recipient; only a failure
// that concerns the whole request (the message cannot be read) makes
// deliver() return -1, which the host turns into a deferral of everyone.
#include "maildir.h"

#include <ferry/plugin.h>

#include <cstring>
#include <exception>
#include <string>

using ferry::transport_maildir::Message;
using ferry::transport_maildir::Outcome;
using ferry::transport_maildir::Settings;

namespace {

// Bytes of an ABI 1.0 ferry_delivery: everything up to and including report.
constexpr size_t request_1_0_size =
    offsetof(ferry_delivery, report) + sizeof(ferry_delivery::report);

void put_error(char *err, size_t errlen, const std::string &text) {
    if (!err || errlen == 0) return;
    size_t n = text.size() < errlen - 1 ? text.size() : errlen - 1;
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

void *maildir_open(const char *name, int argc, const char *const *argv,
                   const ferry_host *host, char *err, size_t errlen) {
    const std::string service = name ? name : "maildir";
    try {
        auto *settings = new Settings();
        std::string why;
        if (!ferry::transport_maildir::parse_settings(argc, argv, host, *settings, why)) {
            put_error(err, errlen, service + ": " + why);
            delete settings;
            return nullptr;
        }
        return settings;
    } catch (const std::exception &e) {
        put_error(err, errlen, std::string("transport-maildir: internal error: ") + e.what());
    } catch (...) {
        put_error(err, errlen, "transport-maildir: internal error");
    }
    return nullptr;
}

int maildir_deliver(void *handle, const ferry_delivery *request, char *err,
                    size_t errlen) {
    try {
        if (!handle || !request || request->size < request_1_0_size ||
            !request->report) {
            put_error(err, errlen, "transport-maildir: malformed delivery request");
            return -1;
        }
        if (request->recipient_count && !request->recipients) {
            put_error(err, errlen, "transport-maildir: request without recipient list");
            return -1;
        }
        const auto &settings = *static_cast<const Settings *>(handle);
        Message message;
        std::string why;
        if (!message.open(request->message_fd, request->message_size, why)) {
            put_error(err, errlen, "transport-maildir: " + why);
            return -1;
        }
        for (size_t i = 0; i < request->recipient_count; ++i) {
            Outcome outcome = ferry::transport_maildir::deliver_one(
                settings, *request, request->recipients[i], message);
            request->report(request->report_ctx, i, outcome.status,
                            outcome.dsn.c_str(), outcome.text.c_str());
        }
        return 0;
    } catch (const std::exception &e) {
        put_error(err, errlen, std::string("transport-maildir: internal error: ") + e.what());
    } catch (...) {
        put_error(err, errlen, "transport-maildir: internal error");
    }
    return -1;
}

void maildir_close(void *handle) { delete static_cast<Settings *>(handle); }

const ferry_transport_ops maildir_ops = {
    sizeof(ferry_transport_ops),
    maildir_open,
    maildir_deliver,
    maildir_close,
};

const ferry_transport_type transports[] = {
    {FERRY_TRANSPORT_TYPE_HEADER, "maildir", 0, &maildir_ops},
};

const ferry_module descriptor = {
    FERRY_MODULE_HEADER,
    "transport-maildir",
    "0.1.0",
    nullptr,
    0,
    transports,
    sizeof transports / sizeof transports[0],
    nullptr,
    nullptr,
};

} // namespace

extern "C" FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) {
    return &descriptor;
}
