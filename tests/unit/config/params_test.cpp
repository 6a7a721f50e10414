// params_test.cpp - the parameter table and the computed defaults.
#include "config/params.h"
#include "config/values.h"

#include <gtest/gtest.h>

using namespace ferry::config;

TEST(Params, TableHasPostfixDefaults) {
    EXPECT_EQ(builtin_default("mail_version"), "3.7.11");
    EXPECT_EQ(builtin_default("myorigin"), "$myhostname");
    EXPECT_EQ(builtin_default("alias_maps"), "hash:/etc/aliases, nis:mail.aliases"); // Debian's
    EXPECT_EQ(builtin_default("local_destination_concurrency_limit"), "2");
    EXPECT_EQ(builtin_default("no_such_parameter"), std::nullopt);
    EXPECT_TRUE(builtin_default("ferry_version").has_value());
}

TEST(Params, TableIsSortedAndUnique) {
    const auto &t = param_defaults();
    for (std::size_t i = 1; i < t.size(); ++i) EXPECT_LT(std::string(t[i - 1].name), std::string(t[i].name));
    EXPECT_GT(t.size(), 800u);
}

TEST(Params, MarksRawParameters) {
    EXPECT_TRUE(is_raw_param("forward_path"));
    EXPECT_TRUE(is_raw_param("mailbox_command"));
    EXPECT_FALSE(is_raw_param("myorigin"));
}

TEST(Params, DomainFollowsPostfixRule) {
    EXPECT_EQ(domain_of("mail.example.com"), "example.com");
    EXPECT_EQ(domain_of("example.com"), "localdomain");
    EXPECT_EQ(domain_of("vm.localdomain"), "localdomain");
}

TEST(Params, HostnameIsQualified) {
    EXPECT_NE(local_hostname().find('.'), std::string::npos);
}

TEST(Params, NetworksIncludeLoopback) {
    EXPECT_NE(local_networks("subnet").find("127.0.0.0/8"), std::string::npos);
    EXPECT_NE(local_networks("host").find("127.0.0.1/32"), std::string::npos);
}

TEST(Params, DeliveryAgentsGetServiceParameters) {
    auto fax = service_params("fax", "pipe");
    ASSERT_EQ(fax.size(), 17u);
    bool limit = false;
    for (auto &p : fax) limit = limit || (p.name == "fax_destination_recipient_limit" &&
                                          p.value == "$default_destination_recipient_limit");
    EXPECT_TRUE(limit);
    EXPECT_EQ(service_params("relay", "smtp").size(), 16u);
    EXPECT_TRUE(service_params("submission", "smtpd").empty());
}

TEST(Values, ListItemsKeepBracedTablesWhole) {
    auto items = ferry::config::list_items(" a, b\tinline:{x=1, y=2},,c\n d ");
    std::vector<std::string> got(items.begin(), items.end());
    EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "inline:{x=1, y=2}", "c", "d"}));
    EXPECT_TRUE(ferry::config::list_items(" , ").empty());
}

TEST(Values, TimeSecondsTakesPostfixUnits) {
    using ferry::config::time_seconds;
    EXPECT_EQ(time_seconds("300s", 1), 300);
    EXPECT_EQ(time_seconds("300", 1), 300);
    EXPECT_EQ(time_seconds("5m", 1), 300);
    EXPECT_EQ(time_seconds("1h", 1), 3600);
    EXPECT_EQ(time_seconds("2d", 1), 172800);
    EXPECT_EQ(time_seconds("1w", 1), 604800);
    EXPECT_EQ(time_seconds("", 7), 7);
    EXPECT_EQ(time_seconds("soon", 7), 7);
    EXPECT_EQ(time_seconds("-5s", 7), 7);
}
