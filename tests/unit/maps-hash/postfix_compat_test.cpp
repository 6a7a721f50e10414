// postfix_compat_test.cpp - differential tests against the real Postfix:
// tables built by postmap are read by the module, tables built by the module
// are read by postmap -q / -s, and both say the same things about the same
// problems.  Skipped when Postfix is not installed.
#include "fixture.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/time.h>
#include <ctime>
#include <unistd.h>

using namespace maps_hash_test;

namespace {

const std::string postmap = POSTFIX_POSTMAP;
const std::string long_value(5000, 'L');

// A private Postfix configuration directory: an empty main.cf is all
// postmap needs, and /etc/postfix may be unconfigured on a fresh machine.
class PostfixCompat : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (::access(postmap.c_str(), X_OK) != 0)
            GTEST_SKIP() << postmap << " not installed";
        config = dir / "postfix";
        ASSERT_EQ(::mkdir(config.c_str(), 0755), 0);
        write_file(config + "/main.cf", "");
        // Postfix waits until a just-written main.cf is a second or more
        // old (it may still be being edited); backdate it instead.
        struct timeval old[2] = {{::time(nullptr) - 60, 0}, {::time(nullptr) - 60, 0}};
        ::utimes((config + "/main.cf").c_str(), old);
        log_lines().clear();
    }
    std::string type() const { return GetParam(); }
    RunResult postfix(std::vector<std::string> args) {
        args.insert(args.begin(), {postmap, "-c", config});
        return run(args);
    }
    TempDir dir;
    std::string config;
};

// Lines of `postmap -s` output as a set (hash order is not sorted).
std::multiset<std::string> lines_of(const std::string &text) {
    std::multiset<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.insert(line);
    return out;
}

const std::string source_text =
    "Mixed@Example.COM OK\n"
    "k\xc3\xa4se utf8\n"
    "\xc3\x84" "BC upper-utf8\n"
    "long " + long_value + "\n"
    "plain   value with spaces\n";

} // namespace

TEST_P(PostfixCompat, ModuleReadsWhatPostmapBuilds) {
    for (std::string option : {"", "-N", "-n"}) {
        SCOPED_TRACE("postmap " + option);
        std::string name = dir / ("built" + option);
        write_file(name, source_text);
        std::vector<std::string> args;
        if (!option.empty())
            args.push_back(option);
        args.push_back(type() + ":" + name);
        RunResult r = postfix(args);
        ASSERT_EQ(r.status, 0) << r.err;

        auto raw = raw_records(type(), name + ".db");
        bool with_nul = option != "-n";
        EXPECT_TRUE(raw.count(with_nul ? std::string("plain\0", 6) : "plain"));

        Table t(type(), name, lookup_flags);
        ASSERT_TRUE(t.ok()) << t.error();
        EXPECT_EQ(t.value_of("MIXED@example.com"), "OK");
        EXPECT_EQ(t.value_of("k\xc3\xa4se"), "utf8");
        EXPECT_EQ(t.value_of("\xc3\x84" "bc"), "upper-utf8");
        EXPECT_EQ(t.value_of("long"), long_value);
        EXPECT_EQ(t.value_of("plain"), "value with spaces");
        EXPECT_EQ(t.lookup("absent"), FERRY_NOTFOUND);
        EXPECT_EQ(t.all().size(), 5u);
        EXPECT_EQ(t.all().at("mixed@example.com"), "OK");
    }
}

TEST_P(PostfixCompat, ModuleReadsPostmapUnfoldedTables) {
    std::string name = dir / "nofold";
    write_file(name, "MiXed yes\n");
    RunResult r = postfix({"-f", type() + ":" + name});
    ASSERT_EQ(r.status, 0) << r.err;
    Table exact(type(), name, lookup_flags & ~FERRY_MAP_FOLD);
    EXPECT_EQ(exact.value_of("MiXed"), "yes");
    EXPECT_EQ(exact.lookup("mixed"), FERRY_NOTFOUND);
}

TEST_P(PostfixCompat, PostmapReadsWhatTheModuleBuilds) {
    const std::vector<std::pair<std::string, std::string>> entries = {
        {"Mixed@Example.COM", "OK"},
        {"key with spaces", "value with spaces"},
        {"k\xc3\xa4se", "utf8"},
        {"empty", ""},
        {"long", long_value}};
    for (unsigned without : {0u, unsigned(FERRY_MAP_TRY0NULL),
                             unsigned(FERRY_MAP_TRY1NULL)}) {
        SCOPED_TRACE("without flag " + std::to_string(without));
        std::string name = dir / ("ours" + std::to_string(without));
        build(type(), name, entries, 0, without);
        std::string map = type() + ":" + name;

        auto query = [&](const std::string &key) { return postfix({"-q", key, map}); };
        EXPECT_EQ(query("MIXED@example.com").out, "OK\n");
        EXPECT_EQ(query("key with spaces").out, "value with spaces\n");
        EXPECT_EQ(query("k\xc3\xa4se").out, "utf8\n");
        RunResult empty = query("empty");
        EXPECT_EQ(empty.status, 0) << empty.err;
        EXPECT_EQ(empty.out, "\n");
        EXPECT_EQ(query("long").out, long_value + "\n");
        RunResult absent = query("absent");
        EXPECT_EQ(absent.status, 1);
        EXPECT_EQ(absent.out, "");

        RunResult all = postfix({"-s", map});
        EXPECT_EQ(all.status, 0) << all.err;
        EXPECT_EQ(lines_of(all.out),
                  (std::multiset<std::string>{
                      "mixed@example.com\tOK", "key with spaces\tvalue with spaces",
                      "k\xc3\xa4se\tutf8", "empty\t", "long\t" + long_value}));
    }
}

TEST_P(PostfixCompat, PostmapDeletesFromModuleTablesAndBack) {
    std::string name = dir / "del";
    build(type(), name, {{"a", "1"}, {"b", "2"}, {"c", "3"}});
    std::string map = type() + ":" + name;
    RunResult r = postfix({"-d", "a", map});
    ASSERT_EQ(r.status, 0) << r.err;
    {
        Table t(type(), name,
                FERRY_MAP_READ | FERRY_MAP_WRITE | FERRY_MAP_FOLD |
                    FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL);
        EXPECT_EQ(t.lookup("a"), FERRY_NOTFOUND);
        EXPECT_EQ(t.remove("b"), FERRY_FOUND);
        EXPECT_EQ(t.commit(), FERRY_FOUND);
    }
    EXPECT_EQ(postfix({"-s", map}).out, "c\t3\n");
}

TEST_P(PostfixCompat, SameDbDumpAsPostmapForTheSameInput) {
    // Same page size, hash element count and record spelling: db_dump
    // prints the two files identically.
    if (::access(DB_DUMP, X_OK) != 0)
        GTEST_SKIP() << DB_DUMP << " not installed";
    std::vector<std::pair<std::string, std::string>> entries;
    std::string text;
    for (int i = 0; i < 300; ++i) {
        entries.emplace_back("key" + std::to_string(i), "value" + std::to_string(i));
        text += "key" + std::to_string(i) + " value" + std::to_string(i) + "\n";
    }
    std::string theirs = dir / "theirs", ours = dir / "ours";
    write_file(theirs, text);
    ASSERT_EQ(postfix({type() + ":" + theirs}).status, 0);
    build(type(), ours, entries);
    RunResult a = run({DB_DUMP, "-p", theirs + ".db"});
    RunResult b = run({DB_DUMP, "-p", ours + ".db"});
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
}

TEST_P(PostfixCompat, SameDuplicateWarningAsPostmap) {
    std::string name = dir / "dup";
    write_file(name, "foo first\nFoo second\n");
    RunResult r = postfix({type() + ":" + name});
    std::string prefix = "postmap: warning: ";
    std::string theirs = r.err.substr(0, r.err.find('\n'));
    ASSERT_EQ(theirs.rfind(prefix, 0), 0u) << r.err;

    std::string ours_name = dir / "dup";
    ::unlink((ours_name + ".db").c_str());
    Table t(type(), ours_name, create_flags);
    t.update("foo", "first");
    t.update("Foo", "second");
    ASSERT_EQ(log_lines().size(), 1u);
    EXPECT_EQ(log_lines()[0], "warning: " + theirs.substr(prefix.size()));
}

TEST_P(PostfixCompat, SameOpenErrorsAsPostmap) {
    std::string fatal = "postmap: fatal: ";
    auto their_error = [&](const std::string &name) {
        RunResult r = postfix({"-q", "x", type() + ":" + name});
        std::string last = r.err;
        if (!last.empty() && last.back() == '\n')
            last.pop_back();
        last = last.substr(last.rfind('\n') + 1);
        return last.rfind(fatal, 0) == 0 ? last.substr(fatal.size()) : last;
    };
    std::string absent = dir / "absent";
    Table missing(type(), absent, lookup_flags);
    EXPECT_EQ(missing.error(), their_error(absent));

    std::string text = dir / "text";
    write_file(text + ".db", "not a database\n");
    Table corrupt(type(), text, lookup_flags);
    EXPECT_EQ(corrupt.error(), their_error(text));
}

TEST_P(PostfixCompat, ModuleReaderFollowsPostmapRebuildingInPlace) {
    // postmap rewrites an existing table in place; a reader opened before
    // must answer from the new contents, even when the NUL convention
    // changed (-n).
    std::string name = dir / "table";
    write_file(name, "key old\n");
    ASSERT_EQ(postfix({type() + ":" + name}).status, 0);
    Table reader(type(), name, lookup_flags);
    ASSERT_EQ(reader.value_of("key"), "old");
    write_file(name, "key new\nadded yes\n");
    ASSERT_EQ(postfix({"-n", type() + ":" + name}).status, 0);
    EXPECT_EQ(reader.value_of("key"), "new");
    EXPECT_EQ(reader.value_of("added"), "yes");
}

TEST_P(PostfixCompat, PostmapReaderNeverSeesAHalfBuiltTable) {
    // Rebuild over and over while Postfix queries: every answer is one of
    // the whole tables, never an error or a miss.
    std::string name = dir / "busy";
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 2000; ++i)
        entries.emplace_back("key" + std::to_string(i), "gen0");
    build(type(), name, entries);
    std::atomic<bool> stop{false};
    std::thread rebuilder([&] {
        for (int gen = 1; !stop; ++gen) {
            for (auto &e : entries)
                e.second = "gen" + std::to_string(gen);
            build(type(), name, entries);
        }
    });
    int answered = 0;
    for (int i = 0; i < 40; ++i) {
        RunResult r = postfix({"-q", "key1999", type() + ":" + name});
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.out.rfind("gen", 0), 0u) << r.out;
        answered += r.status == 0;
    }
    stop = true;
    rebuilder.join();
    EXPECT_EQ(answered, 40);
    for (const auto &name : dir.entries())
        EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
}

INSTANTIATE_TEST_SUITE_P(Types, PostfixCompat, ::testing::Values("hash", "btree"));
