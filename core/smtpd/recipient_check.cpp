// recipient_check.cpp - see recipient_check.h.
#include "smtpd/recipient_check.h"

#include "config/config.h"
#include "config/values.h"
#include "log/msg.h"
#include "maps/catalog.h"
#include "maps/map.h"
#include "maps/search_order.h"

#include <algorithm>
#include <cctype>

namespace ferry::smtpd {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Reply temporary_failure(const std::string &rcpt) {
    return Reply{451, "4.3.0", "<" + rcpt + ">: Temporary lookup failure"};
}

} // namespace

RecipientCheck::RecipientCheck(RecipientCheck &&) noexcept = default;
RecipientCheck::~RecipientCheck() = default;

RecipientCheck::RestrictionList RecipientCheck::parse_list(std::string_view text) {
    static const std::pair<const char *, Step> known[] = {
        {"permit_mynetworks", Step::permit_mynetworks},
        {"permit_sasl_authenticated", Step::permit_sasl},
        {"reject_unauth_destination", Step::reject_unauth},
        {"defer_unauth_destination", Step::defer_unauth},
        {"permit", Step::permit},
        {"reject", Step::reject},
        {"defer", Step::defer},
    };
    RestrictionList list;
    for (std::string_view word : config::list_items(text)) {
        Step step = Step::unknown;
        for (const auto &[name, s] : known)
            if (word == name) step = s;
        list.push_back({step, std::string(word)});
    }
    return list;
}

RecipientCheck RecipientCheck::from_config(const Config &cfg, MapCatalog &catalog,
                                           const config::MasterService *row) {
    RecipientCheck c;
    auto get = [&](const char *name) {
        return (row ? cfg.service_get(*row, name) : cfg.get(name)).value_or("");
    };
    std::string parent = get("parent_domain_matches_subdomains");
    auto list = [&](const char *name, MatchListKind kind) {
        return std::make_unique<MatchList>(MatchList::parse(name, get(name), catalog, parent, kind));
    };
    c.relay_ = parse_list(get("smtpd_relay_restrictions"));
    c.recipient_ = parse_list(get("smtpd_recipient_restrictions"));
    c.mynetworks_ = list("mynetworks", MatchListKind::clients);
    c.mydestination_ = list("mydestination", MatchListKind::domains);
    c.relay_domains_ = list("relay_domains", MatchListKind::domains);
    // virtual_alias_domains and virtual_mailbox_domains both authorize a
    // destination; one list of both keeps the check one lookup.
    std::string virtual_text = get("virtual_alias_domains") + " " + get("virtual_mailbox_domains");
    c.virtual_domains_ = std::make_unique<MatchList>(
        MatchList::parse("virtual_alias_domains", virtual_text, catalog, parent, MatchListKind::domains));
    c.myorigin_ = lower(get("myorigin"));
    c.recipient_delimiter_ = get("recipient_delimiter");
    c.reject_unlisted_ = lower(get("smtpd_reject_unlisted_recipient")) == "yes";
    c.unknown_local_code_ = std::atoi(get("unknown_local_recipient_reject_code").c_str());
    c.relay_reject_code_ = std::atoi(get("relay_domains_reject_code").c_str());
    if (c.unknown_local_code_ < 400 || c.unknown_local_code_ > 599) c.unknown_local_code_ = 550;
    if (c.relay_reject_code_ < 400 || c.relay_reject_code_ > 599) c.relay_reject_code_ = 554;
    const std::string maps = get("local_recipient_maps"); // the items point into it
    for (std::string_view spec : config::list_items(maps)) {
        auto opened = catalog.open(spec, map_flags::lookup_default);
        if (!opened.map) {
            // Postfix defers mail for an unusable table; so do we (see check()).
            msg::warning("local_recipient_maps: " + opened.error);
            c.local_recipient_maps_.push_back(nullptr);
            continue;
        }
        c.may_block_ = c.may_block_ || opened.map->may_block();
        c.local_recipient_maps_.push_back(std::move(opened.map));
    }
    return c;
}

std::string RecipientCheck::config_error() const {
    static const char *const refusing[] = {"reject_unauth_destination", "defer_unauth_destination", "reject",
                                           "defer", "defer_if_permit", "check_relay_domains"};
    for (const RestrictionList *list : {&relay_, &recipient_})
        for (const auto &r : *list)
            for (const char *name : refusing)
                if (r.name == name) return "";
    return "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working "
           "instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or "
           "check_relay_domains";
}

std::string RecipientCheck::domain_of(std::string_view address) const {
    auto at = address.rfind('@');
    if (at == std::string_view::npos) return myorigin_;
    return lower(address.substr(at + 1));
}

bool RecipientCheck::is_local_domain(std::string_view domain, std::optional<Reply> &fail,
                                     const std::string &rcpt) const {
    auto m = mydestination_->match_domain(domain);
    if (m.is_temp_fail()) {
        msg::warning(m.reason);
        fail = temporary_failure(rcpt);
    }
    return m.matched();
}

// reject_unauth_destination's question: is the domain ours or one we relay for?
std::optional<Reply> RecipientCheck::authorized_destination(const RecipientRequest &r, bool &ok) const {
    std::string domain = domain_of(r.recipient);
    std::optional<Reply> fail;
    ok = is_local_domain(domain, fail, r.recipient);
    if (fail) return fail;
    for (const MatchList *l : {virtual_domains_.get(), relay_domains_.get()}) {
        if (ok) break;
        auto m = l->match_domain(domain);
        if (m.is_temp_fail()) {
            msg::warning(m.reason);
            return temporary_failure(r.recipient);
        }
        ok = m.matched();
    }
    return std::nullopt;
}

std::optional<Reply> RecipientCheck::run(const RestrictionList &list, const std::string &param,
                                         const RecipientRequest &r, bool &permitted) const {
    permitted = false;
    for (const auto &step : list) {
        switch (step.step) {
        case Step::permit_mynetworks: {
            auto m = mynetworks_->match_client(r.client_name, r.client_addr);
            if (m.is_temp_fail()) {
                msg::warning(m.reason);
                return temporary_failure(r.recipient);
            }
            if (m.matched()) {
                permitted = true;
                return std::nullopt;
            }
            break;
        }
        case Step::permit_sasl:
            break;
        case Step::reject_unauth:
        case Step::defer_unauth: {
            bool ok = false;
            if (auto fail = authorized_destination(r, ok)) return fail;
            if (ok) break;
            if (step.step == Step::defer_unauth)
                return Reply{454, "4.7.1", "<" + r.recipient + ">: Relay access denied"};
            return Reply{relay_reject_code_, relay_reject_code_ < 500 ? "4.7.1" : "5.7.1",
                         "<" + r.recipient + ">: Relay access denied"};
        }
        case Step::permit:
            permitted = true;
            return std::nullopt;
        case Step::reject:
            return Reply{554, "5.7.1", "<" + r.recipient + ">: Recipient address rejected: Access denied"};
        case Step::defer:
            return Reply{450, "4.7.1", "<" + r.recipient + ">: Recipient address rejected: Access denied"};
        case Step::unknown:
            msg::warning("unknown smtpd restriction: \"" + step.name + "\" in " + param +
                         " (not yet supported by Ferry)");
            return Reply{451, "4.3.5", "Server configuration error"};
        }
    }
    return std::nullopt;
}

std::optional<Reply> RecipientCheck::unlisted(const RecipientRequest &r) const {
    if (!reject_unlisted_ || local_recipient_maps_.empty()) return std::nullopt;
    std::string domain = domain_of(r.recipient);
    std::optional<Reply> fail;
    if (!is_local_domain(domain, fail, r.recipient)) return fail;
    SearchOptions opt;
    opt.recipient_delimiter = recipient_delimiter_;
    opt.is_local_domain = [&](std::string_view d) { return lower(d) == domain; };
    std::string address = r.recipient.find('@') == std::string::npos ? r.recipient + "@" + domain : r.recipient;
    for (const auto &map : local_recipient_maps_) {
        if (!map) return temporary_failure(r.recipient);
        opt.pattern_table = map->is_pattern();
        for (const auto &key : address_keys(address, opt)) {
            auto found = map->lookup(key);
            if (found.is_temp_fail()) {
                msg::warning(found.reason);
                return temporary_failure(r.recipient);
            }
            if (found.is_found()) return std::nullopt;
        }
    }
    return Reply{unknown_local_code_, unknown_local_code_ < 500 ? "4.1.1" : "5.1.1",
                 "<" + r.recipient + ">: Recipient address rejected: User unknown in local recipient table"};
}

std::optional<Reply> RecipientCheck::check(const RecipientRequest &r) const {
    bool permitted = false;
    if (auto reply = run(relay_, "smtpd_relay_restrictions", r, permitted)) return reply;
    if (auto reply = run(recipient_, "smtpd_recipient_restrictions", r, permitted)) return reply;
    return unlisted(r);
}

} // namespace ferry::smtpd
