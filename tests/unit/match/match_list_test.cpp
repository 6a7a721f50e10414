// match_list_test.cpp - mydestination, relay_domains and mynetworks as
// Postfix 3.7 reads and matches them (behaviour checked against smtpd).
#include "maps/match_list.h"

#include "maps/catalog.h"
#include "temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// postconf -d parent_domain_matches_subdomains (Postfix 3.7).
constexpr std::string_view default_pdms =
    "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
    "qmqpd_authorized_clients,relay_domains,smtpd_access_maps";

class MatchListTest : public ::testing::Test {
protected:
    MatchListTest() : catalog_(options()) {}

    static CatalogOptions options() {
        CatalogOptions o;
        o.registry_dir = "/nonexistent";
        return o;
    }

    // Parse while capturing the warnings in log_.
    MatchList parse(const std::string &param, std::string_view value,
                    MatchListKind kind, std::string_view pdms = default_pdms) {
        ::testing::internal::CaptureStderr();
        MatchList list = MatchList::parse(param, value, catalog_, pdms, kind);
        log_ = ::testing::internal::GetCapturedStderr();
        return list;
    }
    MatchList domains(const std::string &param, std::string_view value,
                      std::string_view pdms = default_pdms) {
        return parse(param, value, MatchListKind::domains, pdms);
    }
    MatchList networks(std::string_view value, std::string_view pdms = default_pdms) {
        return parse("mynetworks", value, MatchListKind::clients, pdms);
    }

    MapCatalog catalog_;
    std::string log_;
    TempDir dir_;
};

MatchStatus domain(const MatchList &l, std::string_view d) {
    return l.match_domain(d).status;
}
MatchStatus client(const MatchList &l, std::string_view name, std::string_view addr) {
    return l.match_client(name, addr).status;
}

constexpr auto yes = MatchStatus::match;
constexpr auto no = MatchStatus::no_match;
constexpr auto defer = MatchStatus::temp_fail;

// ---- domain lists -------------------------------------------------------

TEST_F(MatchListTest, DefaultMydestinationAfterExpansion) {
    // "$myhostname, localhost.$mydomain, localhost" as the caller expands it.
    auto l = domains("mydestination", "mx.example.com, localhost.example.com, localhost");
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(domain(l, "mx.example.com"), yes);
    EXPECT_EQ(domain(l, "localhost.example.com"), yes);
    EXPECT_EQ(domain(l, "localhost"), yes);
    EXPECT_EQ(domain(l, "example.com"), no);
    EXPECT_EQ(domain(l, "sub.mx.example.com"), no); // not in the default pdms
    EXPECT_EQ(domain(l, "other.org"), no);
}

TEST_F(MatchListTest, DomainsFoldCase) {
    auto l = domains("mydestination", "Example.COM");
    EXPECT_EQ(domain(l, "example.com"), yes);
    EXPECT_EQ(domain(l, "EXAMPLE.com"), yes);
}

TEST_F(MatchListTest, ParentDomainRuleOffNeedsLeadingDot) {
    auto l = domains("mydestination", "example.com .example.org");
    EXPECT_FALSE(l.parent_matches_subdomains());
    EXPECT_EQ(domain(l, "example.com"), yes);
    EXPECT_EQ(domain(l, "a.example.com"), no);
    EXPECT_EQ(domain(l, "a.example.org"), yes);
    EXPECT_EQ(domain(l, "a.b.example.org"), yes);
    EXPECT_EQ(domain(l, "example.org"), no); // ".x" is subdomains only
}

TEST_F(MatchListTest, ParentDomainRuleOnMatchesSubdomains) {
    auto l = domains("relay_domains", "example.com, .example.org");
    EXPECT_TRUE(l.parent_matches_subdomains());
    EXPECT_EQ(domain(l, "example.com"), yes);
    EXPECT_EQ(domain(l, "a.b.example.com"), yes);
    EXPECT_EQ(domain(l, "badexample.com"), no);
    // With the rule on Postfix compares parents without their dot, so a
    // ".example.org" item matches nothing below example.org.
    EXPECT_EQ(domain(l, "a.example.org"), no);
}

TEST_F(MatchListTest, ParentDomainRuleFollowsTheParameterName) {
    EXPECT_TRUE(parent_domain_rule_applies(default_pdms, "mynetworks"));
    EXPECT_FALSE(parent_domain_rule_applies(default_pdms, "mydestination"));
    EXPECT_TRUE(parent_domain_rule_applies("foo mydestination, bar", "mydestination"));
    auto l = domains("mydestination", "example.com", "mydestination");
    EXPECT_EQ(domain(l, "a.example.com"), yes);
}

TEST_F(MatchListTest, NegationAndFirstMatchWins) {
    auto l = domains("relay_domains", "!secret.example.com, example.com");
    EXPECT_EQ(domain(l, "secret.example.com"), no);
    EXPECT_EQ(domain(l, "x.secret.example.com"), no);
    EXPECT_EQ(domain(l, "www.example.com"), yes);
    auto later = domains("relay_domains", "example.com, !secret.example.com");
    EXPECT_EQ(domain(later, "secret.example.com"), yes);
    auto twice = domains("relay_domains", "!!example.com");
    EXPECT_EQ(domain(twice, "example.com"), yes);
}

TEST_F(MatchListTest, EmptyListMatchesNothing) {
    auto l = domains("relay_domains", " ,, \t\n");
    EXPECT_TRUE(l.empty());
    EXPECT_EQ(domain(l, "example.com"), no);
}

TEST_F(MatchListTest, ItemsFromAFileWithCommentsAndNegationInherited) {
    auto path = dir_.write("domains",
                           "# local domains\n"
                           "one.example, two.example\n"
                           "!bad.three.example three.example\n");
    auto l = domains("mydestination", "first.example " + path + " last.example");
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(domain(l, "first.example"), yes);
    EXPECT_EQ(domain(l, "two.example"), yes);
    EXPECT_EQ(domain(l, "three.example"), yes);
    EXPECT_EQ(domain(l, "bad.three.example"), no);
    EXPECT_EQ(domain(l, "last.example"), yes);
    EXPECT_EQ(domain(l, "#"), no); // the comment is not an item

    // "!/file": every item of the file flipped, a "!" inside flips back.
    auto neg = domains("mydestination", "!" + path + ", bad.three.example, one.example");
    EXPECT_EQ(domain(neg, "one.example"), no);
    EXPECT_EQ(domain(neg, "bad.three.example"), yes);
}

TEST_F(MatchListTest, MissingFileIsATemporaryFailureWhenReached) {
    auto l = domains("mydestination", "first.example, /nonexistent/domains");
    EXPECT_THAT(log_, HasSubstr("warning: non-existent:/nonexistent/domains is "
                                "unavailable. open file /nonexistent/domains: "));
    EXPECT_EQ(domain(l, "first.example"), yes);
    auto r = l.match_domain("other.example");
    EXPECT_EQ(r.status, defer);
    EXPECT_EQ(r.reason, "mydestination: non-existent:/nonexistent/domains: table lookup problem");
}

TEST_F(MatchListTest, DomainTableAnyValueMatches) {
    auto l = domains("mydestination", "inline:{example.com=OK, example.net=REJECT}");
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(domain(l, "example.com"), yes);
    EXPECT_EQ(domain(l, "EXAMPLE.NET"), yes);
    EXPECT_EQ(domain(l, "a.example.com"), no);
    EXPECT_EQ(domain(l, "example.org"), no);
}

TEST_F(MatchListTest, DomainTableParentKeysFollowTheRule) {
    auto path = dir_.write("relay", "example.com x\n.example.org x\n");
    auto on = domains("relay_domains", "texthash:" + path);
    EXPECT_EQ(domain(on, "a.example.com"), yes);
    EXPECT_EQ(domain(on, "a.example.org"), no);
    auto off = domains("relay_domains", "texthash:" + path, "");
    EXPECT_EQ(domain(off, "a.example.com"), no);
    EXPECT_EQ(domain(off, "a.example.org"), yes);
    EXPECT_EQ(domain(off, "example.com"), yes);
}

TEST_F(MatchListTest, FailingTableIsTempFailNotNoMatch) {
    auto l = domains("relay_domains", "example.com, fail:relay, example.org");
    EXPECT_EQ(domain(l, "example.com"), yes); // decided before the table
    auto r = l.match_domain("example.org");
    EXPECT_EQ(r.status, defer);
    EXPECT_TRUE(r.is_temp_fail());
    EXPECT_EQ(r.reason, "relay_domains: fail:relay: table lookup problem");
}

TEST_F(MatchListTest, TableThatCannotBeOpenedWarnsAndDefers) {
    auto l = domains("mydestination", "texthash:/nonexistent/table");
    EXPECT_THAT(log_, HasSubstr("warning: texthash:/nonexistent/table is unavailable. "
                                "open database /nonexistent/table: "));
    auto r = l.match_domain("example.com");
    EXPECT_EQ(r.status, defer);
    EXPECT_EQ(r.reason, "mydestination: texthash:/nonexistent/table: table lookup problem");

    auto unknown = domains("mydestination", "nosuchtype:foo");
    EXPECT_THAT(log_, HasSubstr("nosuchtype:foo is unavailable. unsupported dictionary type: nosuchtype"));
    EXPECT_EQ(domain(unknown, "example.com"), defer);
}

TEST_F(MatchListTest, AddressLikeItemsAreNamesInADomainList) {
    auto l = domains("mydestination", "10.1.2.3/8 [1.2.3.4] 127.0.0.1/33");
    EXPECT_THAT(log_, IsEmpty()); // no network checks for domains
    EXPECT_EQ(domain(l, "example.com"), no);
    EXPECT_EQ(domain(l, "[1.2.3.4]"), yes);
}

// ---- network lists ------------------------------------------------------

TEST_F(MatchListTest, Ipv4AddressesAndNetworks) {
    auto l = networks("127.0.0.0/8, 192.168.1.5 [10.0.0.1] [172.16.0.0]/12 1.2.3.4/32");
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(client(l, "", "127.0.0.1"), yes);
    EXPECT_EQ(client(l, "", "127.255.255.255"), yes);
    EXPECT_EQ(client(l, "", "128.0.0.1"), no);
    EXPECT_EQ(client(l, "", "192.168.1.5"), yes);
    EXPECT_EQ(client(l, "", "192.168.1.6"), no);
    EXPECT_EQ(client(l, "", "10.0.0.1"), yes);
    EXPECT_EQ(client(l, "", "172.31.255.1"), yes);
    EXPECT_EQ(client(l, "", "172.32.0.1"), no);
    EXPECT_EQ(client(l, "", "1.2.3.4"), yes);
    EXPECT_EQ(client(l, "", "1.2.3.5"), no);
}

TEST_F(MatchListTest, Ipv6Forms) {
    auto l = networks("[::1] [fd00::]/64 [2001:db8::/32] [0:0::2]");
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(client(l, "", "::1"), yes);
    EXPECT_EQ(client(l, "", "0:0:0:0:0:0:0:1"), yes);
    EXPECT_EQ(client(l, "", "::2"), yes);
    EXPECT_EQ(client(l, "", "fd00::5"), yes);
    EXPECT_EQ(client(l, "", "FD00::ffff:1"), yes);
    EXPECT_EQ(client(l, "", "fd00:0:0:1::5"), no);
    EXPECT_EQ(client(l, "", "2001:db8:ffff::1"), yes);
    EXPECT_EQ(client(l, "", "2001:db9::1"), no);
    EXPECT_EQ(client(l, "", "127.0.0.1"), no);
    auto any = networks("[::]/0");
    EXPECT_EQ(client(any, "", "1234::1"), yes);
    EXPECT_EQ(client(any, "", "1.2.3.4"), no); // families never mix
}

TEST_F(MatchListTest, BareIpv6IsRefusedWithAHint) {
    // Postfix reads these as tables ("::1" is fatal, "fd00::/64" a table of
    // type fd00): never a match; we say what to write instead.
    auto l = networks("127.0.0.1, fd00::/64");
    EXPECT_THAT(log_, HasSubstr("warning: mynetworks: IPv6 address \"fd00::/64\" must "
                                "be written in brackets: \"[fd00::]/64\""));
    EXPECT_EQ(client(l, "", "127.0.0.1"), yes);
    EXPECT_EQ(client(l, "", "fd00::1"), defer);
    auto bare = networks("::1");
    EXPECT_THAT(log_, HasSubstr("\"[::1]\""));
    EXPECT_EQ(client(bare, "", "::1"), defer);
}

TEST_F(MatchListTest, BadMaskLengthWarnsAndDefersWhenReached) {
    auto l = networks("192.168.0.0/16, 127.0.0.1/33, 10.0.0.0/8");
    EXPECT_THAT(log_, HasSubstr("warning: mynetworks: bad mask length in \"127.0.0.1/33\""));
    EXPECT_EQ(client(l, "", "192.168.1.1"), yes); // decided before the bad item
    auto r = l.match_client("", "10.1.1.1");
    EXPECT_EQ(r.status, defer);
    EXPECT_EQ(r.reason, "mynetworks: bad mask length in \"127.0.0.1/33\"");
    auto v6 = networks("[fd00::]/129");
    EXPECT_THAT(log_, HasSubstr("mynetworks: bad mask length in \"fd00::/129\""));
}

TEST_F(MatchListTest, HostBitsSetWarnsWithTheNetworkToUse) {
    auto l = networks("10.1.2.3/8");
    EXPECT_THAT(log_, HasSubstr("warning: mynetworks: non-null host address bits in "
                                "\"10.1.2.3/8\", perhaps you should use \"10.0.0.0/8\" instead"));
    EXPECT_EQ(client(l, "", "10.9.9.9"), defer);
    EXPECT_EQ(client(l, "", "1.2.3.4"), defer);
    auto v6 = networks("[fd00::1]/64");
    EXPECT_THAT(log_, HasSubstr("mynetworks: non-null host address bits in \"fd00::1/64\", "
                                "perhaps you should use \"fd00::/64\" instead"));
    EXPECT_EQ(client(v6, "", "fd00::5"), defer);
}

TEST_F(MatchListTest, BadNetworkAndMaskValues) {
    auto net = networks("10.1.2/8");
    EXPECT_THAT(log_, HasSubstr("warning: mynetworks: bad network value in \"10.1.2/8\""));
    EXPECT_EQ(client(net, "", "10.1.2.3"), defer);
    auto mask = networks("127.0.0.1/");
    EXPECT_THAT(log_, HasSubstr("warning: mynetworks: bad mask value in \"127.0.0.1/\""));
    EXPECT_EQ(client(mask, "", "127.0.0.1"), defer);
}

TEST_F(MatchListTest, ShapesThatAreNotNetworksAreQuietNames) {
    auto l = networks("foo/8 127.0.0.1/x [foo] [1.2.3.4");
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(client(l, "foo", "1.2.3.4"), no);
    EXPECT_EQ(client(l, "", "127.0.0.1"), no);
}

TEST_F(MatchListTest, HostNamesMatchTheVerifiedName) {
    auto l = networks("Example.COM, mail.example.net");
    EXPECT_EQ(client(l, "foo.EXAMPLE.com", "1.2.3.4"), yes); // mynetworks: parents
    EXPECT_EQ(client(l, "example.com", "1.2.3.4"), yes);
    EXPECT_EQ(client(l, "MAIL.example.net", "1.2.3.4"), yes);
    EXPECT_EQ(client(l, "example.net", "1.2.3.4"), no);
    EXPECT_EQ(client(l, "", "1.2.3.4"), no);
    EXPECT_EQ(client(l, "unknown", "1.2.3.4"), no);

    auto dot = networks(".example.com");
    EXPECT_EQ(client(dot, "foo.example.com", "1.2.3.4"), no); // rule on: no dots
    auto off = networks(".example.com example.org", "");
    EXPECT_EQ(client(off, "foo.example.com", "1.2.3.4"), yes);
    EXPECT_EQ(client(off, "example.com", "1.2.3.4"), no);
    EXPECT_EQ(client(off, "foo.example.org", "1.2.3.4"), no);
    EXPECT_EQ(client(off, "example.org", "1.2.3.4"), yes);
}

TEST_F(MatchListTest, NetworkNegationAndOrder) {
    auto l = networks("!192.168.1.1, 192.168.0.0/16");
    EXPECT_EQ(client(l, "", "192.168.1.1"), no);
    EXPECT_EQ(client(l, "", "192.168.1.2"), yes);
    auto names = networks("!bad.example.com example.com");
    EXPECT_EQ(client(names, "x.bad.example.com", "1.2.3.4"), no);
    EXPECT_EQ(client(names, "good.example.com", "1.2.3.4"), yes);
}

TEST_F(MatchListTest, NetworkItemsFromAFile) {
    auto path = dir_.write("nets", "# trusted\n10.0.0.0/8 !10.9.9.9\n  foo.example.net\n");
    auto l = networks("!10.9.9.8 " + path);
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(client(l, "", "10.0.0.6"), yes);
    EXPECT_EQ(client(l, "", "10.9.9.8"), no);
    EXPECT_EQ(client(l, "bar.foo.example.net", "1.2.3.4"), yes);
    auto neg = networks("!" + path + ", 0.0.0.0/0");
    EXPECT_EQ(client(neg, "", "10.9.9.9"), no);
    EXPECT_EQ(client(neg, "", "1.2.3.4"), yes);
}

TEST_F(MatchListTest, CidrTableGetsTheWholeAddress) {
    // A cidr file: Ferry's cidr: does not read the inline "cidr:{{...}}"
    // form yet (Postfix 3.7 does).
    auto path = dir_.write("clients.cidr", "10.0.0.0/8 x\n[fd00::]/16 y\n");
    auto l = networks("cidr:" + path);
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(client(l, "", "10.0.0.6"), yes);
    EXPECT_EQ(client(l, "", "11.0.0.6"), no);
    EXPECT_EQ(client(l, "", "fd00:1::1"), yes);
}

TEST_F(MatchListTest, InlineAndTexthashTablesForAddressesAndNames) {
    auto path = dir_.write("tab", "192.168 x\nexample.com ok\n10.0.0.5 REJECT\n"
                                  "fd00::1 x\n.example.org x\n");
    auto l = networks("inline:{192.168.1.2=x}, texthash:" + path);
    EXPECT_THAT(log_, IsEmpty());
    EXPECT_EQ(client(l, "", "192.168.1.2"), yes);
    EXPECT_EQ(client(l, "", "192.168.1.3"), no); // no "192.168" octet keys
    EXPECT_EQ(client(l, "", "10.0.0.5"), yes);   // any value matches
    EXPECT_EQ(client(l, "", "fd00:0::1"), yes);  // inet_ntop form
    EXPECT_EQ(client(l, "foo.example.com", "10.0.0.6"), yes);
    EXPECT_EQ(client(l, "foo.example.org", "10.0.0.6"), no);
    auto off = networks("texthash:" + path, "");
    EXPECT_EQ(client(off, "foo.example.com", "10.0.0.6"), no);
    EXPECT_EQ(client(off, "foo.example.org", "10.0.0.6"), yes);
}

TEST_F(MatchListTest, FailingTableInANetworkList) {
    auto l = networks("127.0.0.0/8 fail:x");
    EXPECT_EQ(client(l, "", "127.0.0.1"), yes);
    auto r = l.match_client("foo.example.com", "192.168.1.2");
    EXPECT_EQ(r.status, defer);
    EXPECT_EQ(r.reason, "mynetworks: fail:x: table lookup problem");
    auto neg = networks("!fail:x");
    EXPECT_EQ(client(neg, "", "1.2.3.4"), defer); // never "not in the list"
}

TEST_F(MatchListTest, ListsMove) {
    auto l = networks("inline:{1.2.3.4=x} 10.0.0.0/8");
    MatchList moved = std::move(l);
    EXPECT_EQ(client(moved, "", "1.2.3.4"), yes);
    EXPECT_EQ(moved.param_name(), "mynetworks");
}

} // namespace
} // namespace ferry::test
