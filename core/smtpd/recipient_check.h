// recipient_check.h - the recipient checks of the receive path: relay
// control (smtpd_relay_restrictions, then smtpd_recipient_restrictions) and
// smtpd_reject_unlisted_recipient against local_recipient_maps.
//
// Only the restrictions these need are understood today: permit_mynetworks,
// reject_unauth_destination, defer_unauth_destination,
// permit_sasl_authenticated (never matches: no SASL yet), permit, reject,
// defer.  Any other name is answered the way Postfix answers an unknown
// restriction: a warning and "451 4.3.5 Server configuration error", so a
// site's stronger policy is never silently skipped.  The full restriction
// language replaces RestrictionList later; the session sees only check().
//
// Tables are looked up in check(); when one of them may block (mysql:,
// ldap:), may_block() says so and the caller runs check() off the event
// loop.
#pragma once

#include "config/fwd.h"
#include "maps/match_list.h"
#include "smtpd/reply.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {
class MapCatalog;
class Map;
} // namespace ferry

namespace ferry::smtpd {

struct RecipientRequest {
    std::string client_name; // "unknown" without a verified name
    std::string client_addr;
    std::string recipient; // without <>
};

class RecipientCheck {
public:
    // Reads the parameters from cfg (with the -o settings of `row`, when
    // given) and opens the tables through catalog.
    static RecipientCheck from_config(const Config &cfg, MapCatalog &catalog,
                                      const config::MasterService *row = nullptr);

    // nullopt: accepted; else the reply to send (and log as a reject).
    std::optional<Reply> check(const RecipientRequest &r) const;

    bool may_block() const { return may_block_; }

    // Postfix's start-up rule against open relays: one of the lists must
    // hold a restriction that refuses by default (reject_unauth_destination,
    // defer_unauth_destination, reject, defer, ...).  "" when one does,
    // else the fatal text Postfix's smtpd gives.  (compatibility_level < 1
    // leaves smtpd_relay_restrictions empty, so a main.cf without it and
    // without smtpd_recipient_restrictions is refused, as by Postfix.)
    std::string config_error() const;

    RecipientCheck(RecipientCheck &&) noexcept;
    ~RecipientCheck();

    // The domain of an address: after the last '@', lower case; the
    // default domain (myorigin) when there is none.
    std::string domain_of(std::string_view address) const;

private:
    RecipientCheck() = default;

    enum class Step { permit_mynetworks, permit_sasl, reject_unauth, defer_unauth, permit, reject, defer, unknown };
    struct Restriction {
        Step step;
        std::string name;
    };
    using RestrictionList = std::vector<Restriction>;

    std::optional<Reply> run(const RestrictionList &list, const std::string &param,
                             const RecipientRequest &r, bool &permitted) const;
    bool is_local_domain(std::string_view domain, std::optional<Reply> &fail,
                         const std::string &rcpt) const;
    std::optional<Reply> authorized_destination(const RecipientRequest &r, bool &ok) const;
    std::optional<Reply> unlisted(const RecipientRequest &r) const;
    static RestrictionList parse_list(std::string_view text);

    RestrictionList relay_, recipient_;
    std::unique_ptr<MatchList> mynetworks_, mydestination_, relay_domains_, virtual_domains_;
    std::vector<std::shared_ptr<Map>> local_recipient_maps_;
    std::string myorigin_, recipient_delimiter_;
    bool reject_unlisted_ = true;
    int unknown_local_code_ = 550;
    int relay_reject_code_ = 554;
    bool may_block_ = false;
};

} // namespace ferry::smtpd
