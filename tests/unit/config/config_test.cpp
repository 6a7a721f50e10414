// config_test.cpp - the Config API over main.cf and master.cf together:
// expansion, defaults, which parameters count as used, and the embedded
// default configuration.  Uses the FAQ's snippets.
#include "config/config.h"
#include "test_util.h"

using ferry::Config;

namespace {

const char *faq_main_cf = R"(myorigin = $mydomain
mydomain = example.com
mydestination = $myhostname, localhost.$mydomain, $mydomain
relayhost = $mydomain
local_transport = error:local delivery is disabled
smtpd_recipient_restrictions =
    check_client_access hash:/etc/postfix/client_access
smtpd_restriction_classes = local_only
local_only = check_recipient_access hash:/etc/postfix/local_domains, reject
relay_domains = $mydestination the.backed-up.domain.tld
transport_maps = hash:/etc/postfix/transport
fax_destination_recipient_limit = 1
delay_warning_time = 4h
)";

const char *faq_master_cf = R"(smtp inet n - y - - smtpd
relay unix - - y - - smtp -o syslog_name=postfix/$service_name
fax unix - n n - 1 pipe
  flags= user=fax argv=/usr/bin/faxmail -d -n ${user}
)";

Config faq() { return Config::from_text(faq_main_cf, faq_master_cf); }

} // namespace

TEST(Config, GetExpandsAndRawDoesNot) {
    auto c = faq();
    EXPECT_EQ(c.raw("relayhost"), "$mydomain");
    EXPECT_EQ(c.get("relayhost"), "example.com");
    EXPECT_EQ(c.get("myorigin"), "example.com");
    EXPECT_EQ(c.get("smtpd_recipient_restrictions"), "check_client_access hash:/etc/postfix/client_access");
    EXPECT_EQ(c.get("local_transport"), "error:local delivery is disabled");
}

TEST(Config, DefaultsComeFromTheTable) {
    auto c = faq();
    EXPECT_EQ(c.raw("mail_version"), "3.7.11");
    EXPECT_EQ(c.default_value("relayhost"), "");
    EXPECT_EQ(c.get("delay_warning_time"), "4h");
    EXPECT_EQ(c.get("no_such_parameter"), std::nullopt);
}

TEST(Config, RelayDomainsExpandThroughMydestination) {
    auto c = faq();
    auto host = c.get("myhostname").value();
    EXPECT_EQ(c.get("relay_domains"),
              host + ", localhost.example.com, example.com the.backed-up.domain.tld");
}

TEST(Config, RestrictionClassIsAKnownUserParameter) {
    auto c = faq();
    EXPECT_TRUE(c.is_known("local_only"));
    auto err = ferry::test::stderr_of([&] { c.warn_unused(); });
    EXPECT_EQ(err, "");
}

TEST(Config, ServiceParametersComeFromMasterCf) {
    auto c = faq();
    EXPECT_TRUE(c.is_known("fax_destination_recipient_limit"));
    EXPECT_TRUE(c.is_known("fax_time_limit"));
    EXPECT_FALSE(c.is_known("smtp_time_limit")); // smtpd is not a delivery agent
    EXPECT_EQ(c.get("fax_destination_recipient_limit"), "1");
    EXPECT_EQ(c.get("relay_destination_concurrency_limit"), "20");
}

TEST(Config, WarnsAboutUnusedParameters) {
    auto c = Config::from_text("foo = bar\nq = $r\nr = 1\n", "x unix - - - - - smtp -o baz=1\n", "/d");
    auto err = ferry::test::stderr_of([&] { c.warn_unused(); });
    EXPECT_NE(err.find("warning: /d/main.cf: unused parameter: foo=bar"), std::string::npos) << err;
    EXPECT_NE(err.find("warning: /d/main.cf: unused parameter: q=$r"), std::string::npos) << err;
    EXPECT_EQ(err.find("r=1"), std::string::npos) << err; // used by q
    EXPECT_NE(err.find("warning: /d/master.cf: unused parameter: baz=1"), std::string::npos) << err;
}

TEST(Config, WarnsAboutUndefinedReferences) {
    auto c = Config::from_text("myorigin = $nope\n", "", "/d");
    auto err = ferry::test::stderr_of([&] { c.warn_undefined(); });
    EXPECT_NE(err.find("warning: /d/main.cf: undefined parameter: nope"), std::string::npos) << err;
}

TEST(Config, WarnsAboutReadOnlyParameters) {
    auto c = Config::from_text("process_id = 1\n", "", "/d");
    auto err = ferry::test::stderr_of([&] { c.warn_undefined(); });
    EXPECT_NE(err.find("warning: /d/main.cf: read-only parameter assignment: process_id=1"), std::string::npos);
}

TEST(Config, OverridesApplyPerServiceWithServiceName) {
    auto c = faq();
    const auto &relay = c.services().at(1);
    EXPECT_EQ(c.service_get(relay, "syslog_name"), "postfix/relay");
    EXPECT_EQ(c.get("syslog_name"), "postfix");
}

TEST(Config, RawParametersStayUnexpanded) {
    auto c = Config::from_text("forward_path = $home/.forward\n", "");
    EXPECT_EQ(c.get("forward_path"), "$home/.forward");
}

TEST(Config, NonDefaultDirectoryBecomesConfigDirectory) {
    EXPECT_EQ(Config::from_text("", "", "/tmp/x").raw("config_directory"), "/tmp/x");
    EXPECT_FALSE(Config::from_text("", "", "/etc/postfix").is_set("config_directory"));
}

TEST(Config, LoadFailsWithoutMainCf) {
    auto text = ferry::test::fatal_of([] { Config::load("/nonexistent-ferry-dir"); });
    EXPECT_EQ(text, "open /nonexistent-ferry-dir/main.cf: No such file or directory");
}

TEST(Config, EmbeddedConfigurationListensOnLoopback) {
    auto c = Config::load_embedded("/var/lib/ferry-test");
    EXPECT_EQ(c.get("inet_interfaces"), "127.0.0.1");
    EXPECT_EQ(c.get("queue_directory"), "/var/lib/ferry-test/queue");
    EXPECT_EQ(c.get("mail_spool_directory"), "/var/lib/ferry-test/mail/");
    EXPECT_FALSE(c.services().empty());
    EXPECT_FALSE(c.is_set("config_directory"));
}
