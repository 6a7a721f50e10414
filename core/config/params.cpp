// params.cpp - see params.h.  The table itself is param_defaults.inc.
#include "config/params.h"

#include "ferry_build_config.h"
#include "log/msg.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace ferry::config {
namespace {

const std::vector<ParamDefault> table = {
#include "config/param_defaults.inc"
    // Ferry-only parameters.
    {"ferry_version", FERRY_VERSION, false, false},
};

const std::vector<ParamDefault> &sorted_table() {
    static const std::vector<ParamDefault> sorted = [] {
        auto t = table;
        std::sort(t.begin(), t.end(),
                  [](const ParamDefault &a, const ParamDefault &b) { return std::strcmp(a.name, b.name) < 0; });
        return t;
    }();
    return sorted;
}

const ParamDefault *find(std::string_view name) {
    const auto &t = sorted_table();
    auto it = std::lower_bound(t.begin(), t.end(), name,
                               [](const ParamDefault &p, std::string_view n) { return p.name < n; });
    return it != t.end() && it->name == name ? &*it : nullptr;
}

std::string address_text(int family, const void *addr) {
    char buf[INET6_ADDRSTRLEN];
    ::inet_ntop(family, addr, buf, sizeof buf);
    return buf;
}

// Network address of `bytes` with the first `prefix` bits kept.
void mask(unsigned char *bytes, std::size_t len, int prefix) {
    for (std::size_t i = 0; i < len; ++i) {
        int keep = std::clamp(prefix - static_cast<int>(i * 8), 0, 8);
        bytes[i] &= static_cast<unsigned char>(0xff << (8 - keep));
    }
}

int prefix_of(const unsigned char *m, std::size_t len) {
    int bits = 0;
    for (std::size_t i = 0; i < len; ++i) bits += __builtin_popcount(m[i]);
    return bits;
}

} // namespace

const std::vector<ParamDefault> &param_defaults() { return sorted_table(); }

bool is_builtin_param(std::string_view name) { return find(name) != nullptr; }

bool is_raw_param(std::string_view name) {
    const ParamDefault *p = find(name);
    return p && p->raw;
}

bool is_read_only_param(std::string_view name) {
    return name == "process_id" || name == "process_name" || name == "service_name";
}

std::string local_hostname(std::string_view mydomain) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) < 0) msg::fatal("gethostname: " + std::string(std::strerror(errno)));
    std::string name = buf;
    // Postfix wants a fully qualified name: a bare host name gets $mydomain
    // when main.cf sets it, else "localdomain" (no DNS, as in Postfix).
    if (name.find('.') == std::string::npos)
        name += "." + std::string(mydomain.empty() ? "localdomain" : mydomain);
    return name;
}

std::string domain_of(std::string_view hostname) {
    // Postfix: the host name minus its first label, but only when what is
    // left still has a dot; otherwise "localdomain".
    auto dot = hostname.find('.');
    if (dot == std::string_view::npos) return "localdomain";
    std::string_view rest = hostname.substr(dot + 1);
    if (rest.find('.') == std::string_view::npos) return "localdomain";
    return std::string(rest);
}

std::string local_networks(std::string_view style) {
    std::vector<std::string> v4, v6;
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) == 0) {
        for (ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
            if (!ifa->ifa_addr || !(ifa->ifa_flags & IFF_UP)) continue;
            if (ifa->ifa_addr->sa_family == AF_INET) {
                auto a = reinterpret_cast<sockaddr_in *>(ifa->ifa_addr)->sin_addr;
                auto m = ifa->ifa_netmask ? reinterpret_cast<sockaddr_in *>(ifa->ifa_netmask)->sin_addr
                                          : in_addr{0xffffffff};
                int prefix = style == "host" ? 32 : prefix_of(reinterpret_cast<unsigned char *>(&m), 4);
                if (style == "class") {
                    unsigned first = reinterpret_cast<unsigned char *>(&a)[0];
                    prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
                }
                mask(reinterpret_cast<unsigned char *>(&a), 4, prefix);
                std::string net = address_text(AF_INET, &a) + "/" + std::to_string(prefix);
                if (std::find(v4.begin(), v4.end(), net) == v4.end()) v4.push_back(net);
            } else if (ifa->ifa_addr->sa_family == AF_INET6) {
                auto a = reinterpret_cast<sockaddr_in6 *>(ifa->ifa_addr)->sin6_addr;
                auto m = ifa->ifa_netmask ? reinterpret_cast<sockaddr_in6 *>(ifa->ifa_netmask)->sin6_addr
                                          : in6addr_any;
                int prefix = style == "host" ? 128 : prefix_of(m.s6_addr, 16);
                mask(a.s6_addr, 16, prefix);
                std::string net = "[" + address_text(AF_INET6, &a) + "]/" + std::to_string(prefix);
                if (std::find(v6.begin(), v6.end(), net) == v6.end()) v6.push_back(net);
            }
        }
        ::freeifaddrs(list);
    }
    std::string out;
    for (auto *v : {&v4, &v6})
        for (auto &n : *v) out += (out.empty() ? "" : " ") + n;
    return out;
}

std::optional<std::string> builtin_default(std::string_view name, const DefaultContext &ctx) {
    const ParamDefault *p = find(name);
    if (!p) return std::nullopt;
    if (!p->computed) return std::string(p->value);
    if (name == "myhostname") return local_hostname(ctx.mydomain);
    if (name == "mydomain") return domain_of(ctx.myhostname.empty() ? local_hostname() : ctx.myhostname);
    if (name == "mynetworks") return local_networks(ctx.mynetworks_style);
    if (name == "process_id") return std::to_string(::getpid());
    if (name == "process_name") return msg::program();
    return std::string(p->value);
}

std::vector<ServiceParam> service_params(std::string_view service, std::string_view command) {
    // Postfix registers these for the delivery agents the queue manager
    // schedules; pipe(8) alone also gets a per-service time limit.
    static constexpr std::string_view agents[] = {"smtp", "lmtp", "local", "virtual", "pipe", "error"};
    if (std::find(std::begin(agents), std::end(agents), command) == std::end(agents)) return {};
    static const std::pair<const char *, const char *> suffixes[] = {
        {"_delivery_slot_cost", "$default_delivery_slot_cost"},
        {"_delivery_slot_discount", "$default_delivery_slot_discount"},
        {"_delivery_slot_loan", "$default_delivery_slot_loan"},
        {"_destination_concurrency_failed_cohort_limit",
         "$default_destination_concurrency_failed_cohort_limit"},
        {"_destination_concurrency_limit", "$default_destination_concurrency_limit"},
        {"_destination_concurrency_negative_feedback", "$default_destination_concurrency_negative_feedback"},
        {"_destination_concurrency_positive_feedback", "$default_destination_concurrency_positive_feedback"},
        {"_destination_rate_delay", "$default_destination_rate_delay"},
        {"_destination_recipient_limit", "$default_destination_recipient_limit"},
        {"_extra_recipient_limit", "$default_extra_recipient_limit"},
        {"_initial_destination_concurrency", "$initial_destination_concurrency"},
        {"_minimum_delivery_slots", "$default_minimum_delivery_slots"},
        {"_recipient_limit", "$default_recipient_limit"},
        {"_recipient_refill_delay", "$default_recipient_refill_delay"},
        {"_recipient_refill_limit", "$default_recipient_refill_limit"},
        {"_transport_rate_delay", "$default_transport_rate_delay"},
    };
    std::vector<ServiceParam> out;
    for (auto &[suffix, value] : suffixes) out.push_back({std::string(service) + suffix, value});
    if (command == "pipe") out.push_back({std::string(service) + "_time_limit", "$command_time_limit"});
    return out;
}

} // namespace ferry::config
