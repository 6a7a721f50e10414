// Relay control and local_recipient_maps, with Postfix's reply texts.
#include "config/config.h"
#include "maps/catalog.h"
#include "smtpd/recipient_check.h"

#include <gtest/gtest.h>

#include <string>

using namespace ferry;
using ferry::smtpd::RecipientCheck;
using ferry::smtpd::RecipientRequest;

namespace {

const char *base = R"(myhostname = mx.example.com
mydomain = example.com
mynetworks = 127.0.0.0/8, [::1]/128
mydestination = $myhostname, localhost.$mydomain, localhost
local_recipient_maps = inline:{alice=yes, bob=yes}
recipient_delimiter = +
)";

class RecipientCheckTest : public ::testing::Test {
protected:
    RecipientCheck make(const std::string &extra) {
        cfg_ = std::make_unique<Config>(Config::from_text(std::string(base) + extra, ""));
        return RecipientCheck::from_config(*cfg_, catalog_);
    }
    static RecipientRequest from(std::string addr, std::string rcpt) {
        return {"unknown", std::move(addr), std::move(rcpt)};
    }
    std::unique_ptr<Config> cfg_;
    MapCatalog catalog_{default_catalog_options()};
};

std::string text_of(const std::optional<smtpd::Reply> &r) { return r ? r->format() : "accepted"; }

} // namespace

TEST_F(RecipientCheckTest, LocalUserIsAcceptedFromAnywhere) {
    auto c = make("");
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "alice@mx.example.com"))), "accepted");
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "Bob@LOCALHOST"))), "accepted");
    // An address extension is stripped for the lookup, as Postfix does.
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "alice+news@localhost"))), "accepted");
    // No domain: myorigin ($myhostname) is local.
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "alice"))), "accepted");
}

TEST_F(RecipientCheckTest, UnknownLocalUserIsRejectedWithPostfixText) {
    auto c = make("");
    EXPECT_EQ(text_of(c.check(from("127.0.0.1", "carol@mx.example.com"))),
              "550 5.1.1 <carol@mx.example.com>: Recipient address rejected: User unknown in local recipient table\r\n");
    auto soft = make("unknown_local_recipient_reject_code = 450\n");
    EXPECT_EQ(text_of(soft.check(from("127.0.0.1", "carol@localhost"))),
              "450 4.1.1 <carol@localhost>: Recipient address rejected: User unknown in local recipient table\r\n");
}

TEST_F(RecipientCheckTest, EmptyLocalRecipientMapsAcceptsAnyLocalUser) {
    auto c = make("local_recipient_maps =\n");
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "anyone@localhost"))), "accepted");
}

TEST_F(RecipientCheckTest, RelayIsDeniedOutsideMynetworks) {
    auto c = make("smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n");
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "someone@elsewhere.example"))),
              "554 5.7.1 <someone@elsewhere.example>: Relay access denied\r\n");
    EXPECT_EQ(text_of(c.check(from("127.0.0.1", "someone@elsewhere.example"))), "accepted");
    EXPECT_EQ(text_of(c.check(from("::1", "someone@elsewhere.example"))), "accepted");
}

TEST_F(RecipientCheckTest, PostfixDefaultDefersRelayAttempts) {
    // compatibility_level >= 1: defer_unauth_destination, a 4xx.
    auto c = make("compatibility_level = 3.6\n");
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "someone@elsewhere.example"))),
              "454 4.7.1 <someone@elsewhere.example>: Relay access denied\r\n");
}

TEST_F(RecipientCheckTest, ListsWithoutARefusingRestrictionAreAnOpenRelayAndRefused) {
    // compatibility_level 0 leaves smtpd_relay_restrictions empty, and
    // smtpd_recipient_restrictions is empty by default: Postfix's smtpd
    // refuses to start rather than relay for anyone.
    const std::string fatal = "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at "
                              "least one working instance of: reject_unauth_destination, defer_unauth_destination, "
                              "reject, defer, defer_if_permit or check_relay_domains";
    EXPECT_EQ(make("").config_error(), fatal);
    EXPECT_EQ(make("smtpd_relay_restrictions = permit_mynetworks, permit\n").config_error(), fatal);
    // The good ones beside them.
    EXPECT_EQ(make("compatibility_level = 3.6\n").config_error(), "");
    EXPECT_EQ(make("smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n").config_error(), "");
    EXPECT_EQ(make("smtpd_relay_restrictions = reject\n").config_error(), "");
}

TEST_F(RecipientCheckTest, MasterCfOverridesApplyToTheirService) {
    // Debian's submission row style: -o smtpd_relay_restrictions=...
    Config cfg = Config::from_text(std::string(base) + "compatibility_level = 3.6\n",
                                   "smtp inet n - n - - smtpd\n"
                                   "submission inet n - n - - smtpd\n"
                                   "  -o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination\n");
    auto smtp = RecipientCheck::from_config(cfg, catalog_, &cfg.services()[0]);
    auto submission = RecipientCheck::from_config(cfg, catalog_, &cfg.services()[1]);
    EXPECT_EQ(text_of(smtp.check(from("192.0.2.7", "someone@elsewhere.example"))),
              "454 4.7.1 <someone@elsewhere.example>: Relay access denied\r\n");
    EXPECT_EQ(text_of(submission.check(from("192.0.2.7", "someone@elsewhere.example"))),
              "554 5.7.1 <someone@elsewhere.example>: Relay access denied\r\n");
}

TEST_F(RecipientCheckTest, RelayDomainsAreAuthorized) {
    auto c = make("smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
                  "relay_domains = backup.example\n");
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "x@backup.example"))), "accepted");
    // relay_domains is in parent_domain_matches_subdomains.
    EXPECT_EQ(text_of(c.check(from("192.0.2.7", "x@sub.backup.example"))), "accepted");
}

TEST_F(RecipientCheckTest, TableFailureIsATemporaryErrorNeverAReject) {
    auto c = make("local_recipient_maps = fail:users\n");
    EXPECT_EQ(text_of(c.check(from("127.0.0.1", "alice@localhost"))),
              "451 4.3.0 <alice@localhost>: Temporary lookup failure\r\n");
    auto d = make("mydestination = fail:domains\n");
    EXPECT_EQ(text_of(d.check(from("127.0.0.1", "alice@localhost"))),
              "451 4.3.0 <alice@localhost>: Temporary lookup failure\r\n");
}

TEST_F(RecipientCheckTest, UnusableTableDefersInsteadOfAccepting) {
    auto c = make("local_recipient_maps = nosuchtype:/x\n");
    EXPECT_EQ(text_of(c.check(from("127.0.0.1", "alice@localhost"))),
              "451 4.3.0 <alice@localhost>: Temporary lookup failure\r\n");
}

TEST_F(RecipientCheckTest, UnknownRestrictionIsAConfigurationErrorNotASkip) {
    auto c = make("smtpd_recipient_restrictions = reject_rbl_client zen.example\n");
    EXPECT_EQ(text_of(c.check(from("127.0.0.1", "alice@localhost"))), "451 4.3.5 Server configuration error\r\n");
}

TEST_F(RecipientCheckTest, ProxyPrefixIsFoldedIntoTheHost) {
    auto c = make("local_recipient_maps = proxy:inline:{dave=1}\n");
    EXPECT_EQ(text_of(c.check(from("127.0.0.1", "dave@localhost"))), "accepted");
    EXPECT_NE(text_of(c.check(from("127.0.0.1", "alice@localhost"))), "accepted");
}
