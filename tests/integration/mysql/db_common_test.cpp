// db_common_test.cpp - unit tests of the code mysql: and ldap: share
// (plugins/common/db_common.h): the .cf reader, the %-templates with
// Postfix's skip rules, expansion_limit and the "domain" list.
#include "db_common.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <unistd.h>

using namespace ferry::db;

namespace {

TableConfig parse_ok(const std::string &text) {
    std::string err;
    auto c = TableConfig::parse("/t.cf", text, err);
    EXPECT_TRUE(c.has_value()) << err;
    return c ? *c : TableConfig();
}

// Quote that makes quoting visible: each piece in [].
void bracket(std::string_view in, std::string &out) {
    out += '[';
    out.append(in);
    out += ']';
}

} // namespace

// ---- TableConfig ----------------------------------------------------------

TEST(TableConfig, ReadsNameValueLinesWithCommentsAndContinuations) {
    auto c = parse_ok("# comment\n\nhosts = a b\n  c\nquery=SELECT 1 \n  # inner comment\n"
                      "user =  joe  \n");
    EXPECT_EQ(c.get_str("hosts"), "a b c");
    EXPECT_EQ(c.get_str("query"), "SELECT 1");
    EXPECT_EQ(c.get_str("user"), "joe");
    EXPECT_EQ(c.line("hosts"), 3);
    EXPECT_EQ(c.line("query"), 5);
    EXPECT_EQ(c.line("user"), 7);
    EXPECT_EQ(c.where("user"), "/t.cf, line 7");
    EXPECT_EQ(c.where("absent"), "/t.cf");
}

TEST(TableConfig, LastDuplicateWins) {
    auto c = parse_ok("user = a\nuser = b\n");
    EXPECT_EQ(c.get_str("user"), "b");
    EXPECT_EQ(c.line("user"), 2);
}

TEST(TableConfig, NoDollarExpansion) {
    auto c = parse_ok("password = pa$$word${x}\n");
    EXPECT_EQ(c.get_str("password"), "pa$$word${x}");
}

TEST(TableConfig, RejectsLineWithoutEquals) {
    std::string err;
    EXPECT_FALSE(TableConfig::parse("/t.cf", "user = a\njunk line\n", err));
    EXPECT_NE(err.find("/t.cf, line 2"), std::string::npos) << err;
}

TEST(TableConfig, RejectsMissingName) {
    std::string err;
    EXPECT_FALSE(TableConfig::parse("/t.cf", " \n= value\n", err));
    EXPECT_NE(err.find("line 2"), std::string::npos) << err;
}

TEST(TableConfig, ListsUnreadParametersWithLines) {
    auto c = parse_ok("user = a\nbogus = 1\npassword = p\ntypo_query = x\n");
    c.get_str("user");
    c.get_str("password");
    auto un = c.unread();
    ASSERT_EQ(un.size(), 2u);
    EXPECT_EQ(un[0].name, "bogus");
    EXPECT_EQ(un[0].line, 2);
    EXPECT_EQ(un[1].name, "typo_query");
    EXPECT_EQ(un[1].line, 4);
}

TEST(TableConfig, IntegerBoundsAndDefaults) {
    auto c = parse_ok("a = 5\nb = -1\nc = x12\nd = 99\n");
    std::string err;
    EXPECT_EQ(c.get_int("a", 0, 0, 10, err).value_or(-99), 5);
    EXPECT_EQ(c.get_int("absent", 7, 0, 10, err).value_or(-99), 7);
    EXPECT_FALSE(c.get_int("b", 0, 0, 0, err));
    EXPECT_NE(err.find("line 2"), std::string::npos) << err;
    EXPECT_FALSE(c.get_int("c", 0, 0, 0, err));
    EXPECT_NE(err.find("line 3"), std::string::npos) << err;
    EXPECT_FALSE(c.get_int("d", 0, 0, 10, err));
    EXPECT_NE(err.find("line 4"), std::string::npos) << err;
}

TEST(TableConfig, BooleansAreYesOrNo) {
    auto c = parse_ok("a = YES\nb = no\nc = true\n");
    std::string err;
    EXPECT_EQ(c.get_bool("a", false, err), std::optional<bool>(true));
    EXPECT_EQ(c.get_bool("b", true, err), std::optional<bool>(false));
    EXPECT_EQ(c.get_bool("absent", true, err), std::optional<bool>(true));
    EXPECT_FALSE(c.get_bool("c", false, err));
    EXPECT_NE(err.find("line 3"), std::string::npos) << err;
}

TEST(TableConfig, StringMinimumLength) {
    auto c = parse_ok("dbname =\n");
    std::string err;
    EXPECT_FALSE(c.get_str("dbname", "", err, 1));
    EXPECT_NE(err.find("line 1"), std::string::npos) << err;
}

TEST(TableConfig, LoadNamesUnreadableFile) {
    std::string err;
    EXPECT_FALSE(TableConfig::load("mysql", "/nonexistent/x.cf", nullptr, err));
    EXPECT_NE(err.find("/nonexistent/x.cf"), std::string::npos) << err;
}

TEST(TableConfig, PrefixFormReadsMainCfParameters) {
    static std::map<std::string, std::string> params = {{"foo_user", "joe"}};
    ferry_host host{sizeof(ferry_host), 1, 0, nullptr, nullptr,
                    [](void *, const char *name, ferry_sink *out) {
                        auto it = params.find(name);
                        if (it == params.end()) return 0;
                        out->put(out->ctx, it->second.data(), it->second.size());
                        return 1;
                    },
                    nullptr};
    std::string err;
    auto c = TableConfig::load("mysql", "foo", &host, err);
    ASSERT_TRUE(c) << err;
    EXPECT_EQ(c->get_str("user"), "joe");
    EXPECT_EQ(c->get_str("password", "dflt"), "dflt");
    EXPECT_EQ(c->table(), "mysql:foo");
}

// ---- Templates ------------------------------------------------------------

TEST(Templates, ExpandsKeyPieces) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("%s|%u|%d|%1|%2|%3|%S|%U|%D|%%", Templates::Kind::Query, err)) << err;
    ASSERT_TRUE(t.expand_query("%s|%u|%d|%1|%2|%3|%S|%U|%D|%%", "joe@mail.example.com", bracket,
                               out));
    EXPECT_EQ(out, "[joe@mail.example.com]|[joe]|[mail.example.com]|[com]|[example]|[mail]|"
                   "[joe@mail.example.com]|[joe]|[mail.example.com]|%");
}

TEST(Templates, UserWithoutDomainIsWholeKey) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("%u", Templates::Kind::Query, err));
    ASSERT_TRUE(t.expand_query("%u", "localonly", {}, out));
    EXPECT_EQ(out, "localonly");
}

TEST(Templates, SkipsKeyWithoutDomainWhenDomainNeeded) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("x=%d", Templates::Kind::Query, err));
    EXPECT_FALSE(t.expand_query("x=%d", "localonly", {}, out));
    EXPECT_FALSE(t.expand_query("x=%d", "user@", {}, out));
    EXPECT_TRUE(t.expand_query("x=%d", "@example.com", {}, out));
}

TEST(Templates, SkipsEmptyLocalPartWhenUserNeeded) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("%u", Templates::Kind::Query, err));
    EXPECT_FALSE(t.expand_query("%u", "@example.com", {}, out));
}

TEST(Templates, SkipsKeysWithTooFewLabels) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("%3", Templates::Kind::Query, err));
    EXPECT_FALSE(t.expand_query("%3", "a@example.com", {}, out));
    EXPECT_TRUE(t.expand_query("%3", "a@x.example.com", {}, out));
    EXPECT_EQ(out, "x");
    // Empty labels are dropped, as Postfix's argv_split() drops them.
    EXPECT_TRUE(t.expand_query("%3", "a@x..example.com", {}, out));
    EXPECT_EQ(out, "x");
}

TEST(Templates, ResultTemplateNeedsShapeTheQueryChecks) {
    // %D in the result format makes domain-less keys skip the query too.
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("%s", Templates::Kind::Query, err));
    ASSERT_TRUE(t.parse("%s@%D", Templates::Kind::Result, err));
    EXPECT_FALSE(t.expand_query("%s", "localonly", {}, out));
    EXPECT_TRUE(t.expand_query("%s", "a@b.c", {}, out));
}

TEST(Templates, ResultValueExpansionAndSkips) {
    Templates t;
    std::string err;
    ASSERT_TRUE(t.parse("%s", Templates::Kind::Query, err));
    ASSERT_TRUE(t.parse("%u at %d for %U", Templates::Kind::Result, err));
    std::string out;
    EXPECT_TRUE(t.expand_result("%u at %d for %U", "bob@example.org", "k@x.y", {}, out));
    EXPECT_EQ(out, "bob at example.org for k");
    EXPECT_FALSE(t.expand_result("%u at %d for %U", "justlocal", "k@x.y", {}, out));
    EXPECT_FALSE(t.expand_result("%u at %d for %U", "@example.org", "k@x.y", {}, out));
    EXPECT_TRUE(t.expand_result("%u at %d for %U", "c@d", "k@x.y", {}, out));
    EXPECT_EQ(out, "bob at example.org for k,c at d for k");
}

TEST(Templates, RefusesUnknownSequences) {
    Templates t;
    std::string err;
    EXPECT_FALSE(t.parse("SELECT %x", Templates::Kind::Query, err));
    EXPECT_NE(err.find("%x"), std::string::npos) << err;
    EXPECT_FALSE(t.parse("ends with %", Templates::Kind::Result, err));
    EXPECT_FALSE(t.parse("%0", Templates::Kind::Query, err));
}

TEST(Templates, LiteralTextIsNotQuoted) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("a'%s'b", Templates::Kind::Query, err));
    ASSERT_TRUE(t.expand_query("a'%s'b", "k", bracket, out));
    EXPECT_EQ(out, "a'[k]'b");
}

TEST(Templates, EmptyKeyIsNotLookedUp) {
    Templates t;
    std::string err, out;
    ASSERT_TRUE(t.parse("%s", Templates::Kind::Query, err));
    EXPECT_FALSE(t.expand_query("%s", "", {}, out));
}

// ---- ResultJoiner -----------------------------------------------------------

TEST(ResultJoiner, JoinsWithCommasAndEnforcesLimit) {
    Templates t;
    std::string err;
    ASSERT_TRUE(t.parse("%s", Templates::Kind::Result, err));
    ResultJoiner j(t, "<%s>", 2);
    EXPECT_EQ(j.add("a", "k"), ResultJoiner::Add::Added);
    EXPECT_EQ(j.add("", "k"), ResultJoiner::Add::Skipped);
    EXPECT_EQ(j.add("b", "k"), ResultJoiner::Add::Added);
    EXPECT_EQ(j.result(), "<a>,<b>");
    EXPECT_EQ(j.add("c", "k"), ResultJoiner::Add::ExpansionLimit);
}

TEST(ResultJoiner, ZeroMeansNoLimit) {
    Templates t;
    ResultJoiner j(t, "%s", 0);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(j.add("v", "k"), ResultJoiner::Add::Added);
}

// ---- DomainFilter -----------------------------------------------------------

TEST(DomainFilter, ListedDomainsOnly) {
    DomainFilter f;
    std::string err, why;
    ASSERT_TRUE(f.parse("example.com, Example.ORG !bad.example.com", nullptr, err)) << err;
    EXPECT_EQ(f.check("a@example.com", why), DomainFilter::Check::Lookup);
    EXPECT_EQ(f.check("a@EXAMPLE.org", why), DomainFilter::Check::Lookup);
    EXPECT_EQ(f.check("a@sub.example.com", why), DomainFilter::Check::Skip);
    EXPECT_EQ(f.check("localonly", why), DomainFilter::Check::Skip);
    EXPECT_EQ(f.check("@example.com", why), DomainFilter::Check::Skip);
    EXPECT_EQ(f.check("a@", why), DomainFilter::Check::Skip);
}

TEST(DomainFilter, NegationFirstMatchWins) {
    DomainFilter f;
    std::string err, why;
    ASSERT_TRUE(f.parse("!example.com example.com", nullptr, err));
    EXPECT_EQ(f.check("a@example.com", why), DomainFilter::Check::Skip);
}

TEST(DomainFilter, InactiveWhenEmpty) {
    DomainFilter f;
    std::string why;
    EXPECT_FALSE(f.active());
    EXPECT_EQ(f.check("localonly", why), DomainFilter::Check::Lookup);
}

TEST(DomainFilter, ReadsFileEntries) {
    char path[] = "/tmp/db-common-test-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    std::string text = "# domains\nfile.example  other.example\n";
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    DomainFilter f;
    std::string err, why;
    ASSERT_TRUE(f.parse(std::string("x.example ") + path, nullptr, err)) << err;
    EXPECT_EQ(f.check("a@other.example", why), DomainFilter::Check::Lookup);
    EXPECT_EQ(f.check("a@domains", why), DomainFilter::Check::Skip);
    unlink(path);
}

TEST(DomainFilter, UnreadableFileIsAnError) {
    DomainFilter f;
    std::string err;
    EXPECT_FALSE(f.parse("/nonexistent/domains", nullptr, err));
    EXPECT_NE(err.find("/nonexistent/domains"), std::string::npos) << err;
}

TEST(DomainFilter, TablesThroughTheHost) {
    ferry_host host{sizeof(ferry_host), 1, 0, nullptr, nullptr, nullptr,
                    [](void *, const char *table, const char *key, size_t keylen,
                       ferry_sink *out, char *err, size_t errlen) {
                        std::string k(key, keylen);
                        if (std::string(table) == "fail:x") {
                            std::snprintf(err, errlen, "down");
                            return static_cast<int>(FERRY_TEMPFAIL);
                        }
                        if (k == "intable.example") {
                            out->put(out->ctx, "ok", 2);
                            return static_cast<int>(FERRY_FOUND);
                        }
                        return static_cast<int>(FERRY_NOTFOUND);
                    }};
    DomainFilter f;
    std::string err, why;
    ASSERT_TRUE(f.parse("hash:/etc/d", &host, err)) << err;
    EXPECT_EQ(f.check("a@InTable.example", why), DomainFilter::Check::Lookup);
    EXPECT_EQ(f.check("a@other.example", why), DomainFilter::Check::Skip);
    DomainFilter g;
    ASSERT_TRUE(g.parse("fail:x", &host, err));
    EXPECT_EQ(g.check("a@b.c", why), DomainFilter::Check::Error);
    EXPECT_NE(why.find("fail:x"), std::string::npos) << why;
}

// ---- utilities --------------------------------------------------------------

TEST(Utilities, ValidUtf8) {
    EXPECT_TRUE(valid_utf8("plain"));
    EXPECT_TRUE(valid_utf8("jos\xc3\xa9"));
    EXPECT_TRUE(valid_utf8("\xf0\x9f\x93\xab"));
    EXPECT_FALSE(valid_utf8("jos\xe9"));
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));         // overlong
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));     // surrogate
    EXPECT_FALSE(valid_utf8("\xe2\x82"));         // truncated
}

TEST(Utilities, SplitList) {
    auto v = split_list(" a, b\tc\n,,d ");
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[3], "d");
}

TEST(Utilities, SetErrorTruncatesAndTerminates) {
    char buf[4];
    set_error(buf, sizeof buf, "abcdef");
    EXPECT_STREQ(buf, "abc");
}
