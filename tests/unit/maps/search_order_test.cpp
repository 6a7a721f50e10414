// search_order_test.cpp - the keys tried for addresses, domains and client
// addresses, in Postfix's order.
#include "maps/search_order.h"

#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using Keys = std::vector<std::string>;

SearchOptions virtual_opts() {
    SearchOptions o;
    o.recipient_delimiter = "+";
    o.is_local_domain = [](std::string_view d) { return d == "local.example"; };
    return o;
}

TEST(AddressKeys, VirtualOrderForRemoteDomainWithExtension) {
    EXPECT_EQ(address_keys("user+ext@example.com", virtual_opts()),
              (Keys{"user+ext@example.com", "user@example.com", "@example.com"}));
}

TEST(AddressKeys, VirtualOrderForLocalDomainAddsLocalparts) {
    EXPECT_EQ(address_keys("user+ext@local.example", virtual_opts()),
              (Keys{"user+ext@local.example", "user@local.example", "user+ext", "user",
                    "@local.example"}));
}

TEST(AddressKeys, WithoutExtensionNoStrippedKeys) {
    EXPECT_EQ(address_keys("user@local.example", virtual_opts()),
              (Keys{"user@local.example", "user", "@local.example"}));
}

TEST(AddressKeys, AddressWithoutDomainIsLocal) {
    EXPECT_EQ(address_keys("user+ext", virtual_opts()), (Keys{"user+ext", "user"}));
}

TEST(AddressKeys, NoDelimiterMeansNoExtension) {
    auto o = virtual_opts();
    o.recipient_delimiter.clear();
    EXPECT_EQ(address_keys("user+ext@example.com", o),
              (Keys{"user+ext@example.com", "@example.com"}));
}

TEST(AddressKeys, SeveralDelimiterCharactersFirstOneSplits) {
    auto o = virtual_opts();
    o.recipient_delimiter = "+-";
    EXPECT_EQ(address_keys("a-b+c@example.com", o),
              (Keys{"a-b+c@example.com", "a@example.com", "@example.com"}));
}

TEST(AddressKeys, SpecialLocalpartsAreNeverSplit) {
    auto o = virtual_opts();
    o.recipient_delimiter = "-";
    for (const char *a : {"owner-list@example.com", "list-request@example.com",
                          "MAILER-DAEMON@example.com", "double-bounce@example.com"})
        EXPECT_EQ(address_keys(a, o), (Keys{a, std::string("@example.com")})) << a;
    EXPECT_EQ(address_keys("a-b@example.com", o),
              (Keys{"a-b@example.com", "a@example.com", "@example.com"}));
}

TEST(AddressKeys, LeadingDelimiterDoesNotLeaveAnEmptyUser) {
    EXPECT_EQ(address_keys("+ext@example.com", virtual_opts()),
              (Keys{"+ext@example.com", "@example.com"}));
}

TEST(AddressKeys, AccessOrderTriesDomainsThenLocalparts) {
    SearchOptions o;
    o.style = AddressStyle::Access;
    o.recipient_delimiter = "+";
    EXPECT_EQ(address_keys("user+foo@sub.example.com", o),
              (Keys{"user+foo@sub.example.com", "user@sub.example.com", "sub.example.com",
                    "example.com", "com", "user+foo@", "user@"}));
}

TEST(AddressKeys, AccessOrderWithoutParentMatching) {
    SearchOptions o;
    o.style = AddressStyle::Access;
    o.parent_domain_matches_subdomains = false;
    EXPECT_EQ(address_keys("user@sub.example.com", o),
              (Keys{"user@sub.example.com", "sub.example.com", ".example.com", ".com",
                    "user@"}));
}

TEST(AddressKeys, PatternTableGetsOnlyTheWholeAddress) {
    auto o = virtual_opts();
    o.pattern_table = true;
    EXPECT_EQ(address_keys("user+ext@local.example", o), (Keys{"user+ext@local.example"}));
    o.style = AddressStyle::Access;
    EXPECT_EQ(address_keys("user+ext@local.example", o), (Keys{"user+ext@local.example"}));
}

TEST(DomainKeys, ParentDomainsMatchSubdomains) {
    SearchOptions o;
    EXPECT_EQ(domain_keys("a.b.example.com", o),
              (Keys{"a.b.example.com", "b.example.com", "example.com", "com"}));
}

TEST(DomainKeys, DotFormWithoutParentDomainMatching) {
    SearchOptions o;
    o.parent_domain_matches_subdomains = false;
    EXPECT_EQ(domain_keys("sub.example.com", o),
              (Keys{"sub.example.com", ".example.com", ".com"}));
}

TEST(DomainKeys, SingleLabelAndPatternTable) {
    SearchOptions o;
    EXPECT_EQ(domain_keys("localhost", o), (Keys{"localhost"}));
    o.pattern_table = true;
    EXPECT_EQ(domain_keys("sub.example.com", o), (Keys{"sub.example.com"}));
    EXPECT_TRUE(domain_keys("", o).empty());
}

TEST(ClientAddressKeys, Ipv4ShortensByOctet) {
    SearchOptions o;
    EXPECT_EQ(client_address_keys("1.2.3.4", o), (Keys{"1.2.3.4", "1.2.3", "1.2", "1"}));
}

TEST(ClientAddressKeys, Ipv6ShortensAtColonsAfterNormalising) {
    SearchOptions o;
    EXPECT_EQ(client_address_keys("2001:DB8:0:0:0:0:0:1", o),
              (Keys{"2001:db8::1", "2001:db8:", "2001:db8", "2001"}));
    EXPECT_EQ(client_address_keys("::1", o), (Keys{"::1", ":"}));
}

TEST(ClientAddressKeys, PatternTableGetsOnlyTheAddress) {
    SearchOptions o;
    o.pattern_table = true;
    EXPECT_EQ(client_address_keys("1.2.3.4", o), (Keys{"1.2.3.4"}));
}

} // namespace
} // namespace ferry::test
