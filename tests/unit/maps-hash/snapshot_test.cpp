// snapshot_test.cpp - a busy reader answers from an in-memory copy of the
// table: same answers as from the file, no lock per lookup, changes by any
// writer (Ferry or Postfix, in place or by rename) seen within the check
// interval, and never a value that no writer wrote.
#include "fixture.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

using namespace maps_hash_test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string postfix_postmap = POSTFIX_POSTMAP;
// The delay db_table.cpp documents (snapshot_check_interval), and slack
// for a loaded test machine.
constexpr auto check_interval = std::chrono::seconds(1);
constexpr auto slack = std::chrono::milliseconds(1500);
// More lookups than the snapshot threshold of a small table (64).
constexpr int warm_lookups = 200;

constexpr unsigned write_flags = FERRY_MAP_READ | FERRY_MAP_WRITE |
                                 FERRY_MAP_FOLD | FERRY_MAP_TRY0NULL |
                                 FERRY_MAP_TRY1NULL | FERRY_MAP_DUP_REPLACE;

// Sets $FERRY_HASH_SNAPSHOT_LIMIT while handles are opened (it is read at
// open); restores the old value after.
class LimitScope {
public:
    explicit LimitScope(const char *value) {
        if (const char *old = std::getenv(name))
            saved_ = old, had_ = true;
        ::setenv(name, value, 1);
    }
    ~LimitScope() {
        if (had_)
            ::setenv(name, saved_.c_str(), 1);
        else
            ::unsetenv(name);
    }
    LimitScope(const LimitScope &) = delete;
    LimitScope &operator=(const LimitScope &) = delete;

private:
    static constexpr const char *name = "FERRY_HASH_SNAPSHOT_LIMIT";
    std::string saved_;
    bool had_ = false;
};

// Enough lookups for the handle to switch to its snapshot.
void warm(Table &t, const std::string &key, int count = warm_lookups) {
    for (int i = 0; i < count; ++i)
        t.lookup(key);
}

// Polls until key has `want`; how long it took, or nothing after `limit`.
std::optional<Clock::duration> time_until(Table &t, const std::string &key,
                                          const std::string &want,
                                          Clock::duration limit) {
    auto start = Clock::now();
    while (Clock::now() - start < limit) {
        std::string value;
        if (t.lookup(key, &value) == FERRY_FOUND && value == want)
            return Clock::now() - start;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

// Does a lookup on `t` finish while someone holds an exclusive flock on
// the table?  Gives the lock back after `wait` either way.
bool answers_under_exclusive_lock(Table &t, const std::string &db_file,
                                  const std::string &key,
                                  const std::string &want,
                                  std::chrono::milliseconds wait) {
    int fd = ::open(db_file.c_str(), O_RDWR);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::flock(fd, LOCK_EX), 0);
    std::atomic<bool> done{false};
    std::string value;
    std::thread looker([&] {
        t.lookup(key, &value);
        done = true;
    });
    auto start = Clock::now();
    while (!done && Clock::now() - start < wait)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    bool answered = done.load();
    ::flock(fd, LOCK_UN);
    looker.join();
    ::close(fd);
    EXPECT_EQ(value, want);
    return answered;
}

class SnapshotTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        config = dir / "config";
        ASSERT_EQ(::mkdir(config.c_str(), 0755), 0);
        write_file(config + "/main.cf", "");
        // Postfix pauses on a main.cf younger than a second.
        struct timeval old[2] = {{0, 0}, {0, 0}};
        ::utimes((config + "/main.cf").c_str(), old);
        log_lines().clear();
    }
    std::string type() const { return GetParam(); }
    bool have_postfix() const {
        return ::access(postfix_postmap.c_str(), X_OK) == 0;
    }
    // Ferry's own postmap, when the test runs from the build (meson test).
    std::string ferry_postmap() const {
        const char *dir = std::getenv("FERRY_TEST_BIN");
        std::string path = dir ? std::string(dir) + "/postmap" : "";
        return !path.empty() && ::access(path.c_str(), X_OK) == 0 ? path : "";
    }
    // postmap [-i|-d key] on the table, with stdin from `input` lines.
    RunResult postmap(const std::string &program, std::vector<std::string> args,
                      const std::string &input = "") {
        std::string in_file;
        if (!input.empty()) {
            in_file = dir / ("input" + std::to_string(inputs++));
            write_file(in_file, input);
        }
        args.insert(args.begin(), {program, "-c", config});
        return run(args, in_file);
    }
    TempDir dir;
    std::string config;
    int inputs = 0;
};

} // namespace

TEST_P(SnapshotTest, BusyReaderAnswersWithoutWaitingForAWriter) {
    // A writer holding the exclusive lock (postmap -i at work) no longer
    // stalls a busy reader: it answers from the copy it already has.
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}});
    Table reader(type(), name, lookup_flags);
    ASSERT_TRUE(reader.ok()) << reader.error();
    warm(reader, "key");
    EXPECT_TRUE(answers_under_exclusive_lock(reader, name + ".db", "key",
                                             "value",
                                             std::chrono::milliseconds(2000)));
}

TEST_P(SnapshotTest, LimitZeroKeepsLockedReadsFromTheFile) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}});
    LimitScope off("0");
    Table reader(type(), name, lookup_flags);
    ASSERT_TRUE(reader.ok()) << reader.error();
    warm(reader, "key");
    EXPECT_FALSE(answers_under_exclusive_lock(reader, name + ".db", "key",
                                              "value",
                                              std::chrono::milliseconds(300)));
}

TEST_P(SnapshotTest, TableOverTheLimitKeepsLockedReadsFromTheFile) {
    std::string name = dir / "table";
    std::vector<std::pair<std::string, std::string>> entries;
    for (int i = 0; i < 500; ++i)
        entries.emplace_back("key" + std::to_string(i), std::string(40, 'v'));
    build(type(), name, entries);
    LimitScope small("4096"); // far less than 500 records of 45 bytes
    Table reader(type(), name, lookup_flags);
    ASSERT_TRUE(reader.ok()) << reader.error();
    warm(reader, "key1");
    EXPECT_FALSE(answers_under_exclusive_lock(reader, name + ".db", "key1",
                                              std::string(40, 'v'),
                                              std::chrono::milliseconds(300)));
    EXPECT_EQ(reader.value_of("key499"), std::string(40, 'v'));
    EXPECT_TRUE(log_lines().empty()) << log_lines().front();
}

TEST_P(SnapshotTest, MalformedLimitFallsBackToTheDefault) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}});
    LimitScope bad("lots");
    Table reader(type(), name, lookup_flags);
    ASSERT_TRUE(reader.ok()) << reader.error();
    warm(reader, "key");
    EXPECT_TRUE(answers_under_exclusive_lock(reader, name + ".db", "key",
                                             "value",
                                             std::chrono::milliseconds(2000)));
}

TEST_P(SnapshotTest, SameAnswersAsTheFileForEveryKindOfRecord) {
    std::string name = dir / "table";
    const std::string long_value(100000, 'v');
    // Bigger than the buffer records are copied through (1 MiB).
    const std::string huge_value(3 << 20, 'h');
    build(type(), name,
          {{"Mixed.Case@Example.COM", "OK"},
           {"huge", huge_value},
           {"k\xc3\xa4se", "utf-8 key"},
           {"\xc3\x84" "BC", "upper utf-8"},
           {"empty", ""},
           {"long", long_value},
           {"key with spaces", "value with spaces"}});
    Table t(type(), name, lookup_flags);
    // One lookup per 8 KiB of a table this size (about 3.5 MiB).
    warm(t, "absent", 1000);
    EXPECT_EQ(t.value_of("mixed.case@example.com"), "OK");
    EXPECT_EQ(t.value_of("MIXED.case@EXAMPLE.com"), "OK");
    EXPECT_EQ(t.value_of("k\xc3\xa4se"), "utf-8 key");
    EXPECT_EQ(t.value_of("\xc3\x84" "Bc"), "upper utf-8");
    EXPECT_EQ(t.lookup("\xc3\xa4" "bc"), FERRY_NOTFOUND);
    std::string value = "stale";
    EXPECT_EQ(t.lookup("empty", &value), FERRY_FOUND);
    EXPECT_EQ(value, "");
    EXPECT_EQ(t.value_of("long"), long_value);
    EXPECT_EQ(t.value_of("huge"), huge_value);
    EXPECT_EQ(t.value_of("key with spaces"), "value with spaces");
    EXPECT_EQ(t.lookup("key"), FERRY_NOTFOUND);
    EXPECT_EQ(t.lookup(""), FERRY_NOTFOUND);
    EXPECT_TRUE(answers_under_exclusive_lock(t, name + ".db", "Mixed.Case@example.com",
                                             "OK", std::chrono::milliseconds(2000)))
        << "the snapshot was not taken";

    Table exact(type(), name, lookup_flags & ~FERRY_MAP_FOLD);
    warm(exact, "absent", 1000);
    EXPECT_EQ(exact.lookup("Mixed.Case@Example.COM"), FERRY_NOTFOUND);
    EXPECT_EQ(exact.value_of("mixed.case@example.com"), "OK");
}

TEST_P(SnapshotTest, KeepsTheNulConventionsAndEmbeddedNuls) {
    std::string name = dir / "mixed";
    write_raw(type(), name + ".db",
              {{std::string("with\0", 5), std::string("one\0", 4)},
               {"without", "two"},
               {"cut", std::string("a\0b", 3)}});
    {
        // Learned before the snapshot, kept by it.
        Table t(type(), name, lookup_flags);
        EXPECT_EQ(t.value_of("with"), "one");
        warm(t, "absent");
        EXPECT_EQ(t.lookup("without"), FERRY_NOTFOUND);
        EXPECT_EQ(t.value_of("with"), "one");
    }
    {
        // Learned from the snapshot: the first hit decides.
        Table t(type(), name, lookup_flags);
        warm(t, "absent");
        EXPECT_EQ(t.value_of("without"), "two");
        EXPECT_EQ(t.lookup("with"), FERRY_NOTFOUND);
        EXPECT_EQ(t.value_of("cut"), "a");
    }
    {
        Table t(type(), name, FERRY_MAP_READ | FERRY_MAP_TRY1NULL);
        warm(t, "absent");
        EXPECT_EQ(t.lookup("without"), FERRY_NOTFOUND);
        EXPECT_EQ(t.value_of("with"), "one");
    }
}

TEST_P(SnapshotTest, BusyReaderSeesAnInPlaceUpdateWithinTheCheckInterval) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "old"}});
    Table reader(type(), name, lookup_flags);
    warm(reader, "key");
    {
        Table writer(type(), name, write_flags);
        ASSERT_TRUE(writer.ok()) << writer.error();
        for (int i = 0; i < 500; ++i)
            writer.update("filler" + std::to_string(i), std::string(50, 'f'));
        writer.update("key", "new");
    }
    auto took = time_until(reader, "key", "new", check_interval + slack);
    ASSERT_TRUE(took.has_value()) << "in-place update not seen";
    EXPECT_EQ(reader.value_of("filler499"), std::string(50, 'f'));
}

TEST_P(SnapshotTest, BusyReaderSeesARebuildWithinTheCheckInterval) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "old"}});
    Table reader(type(), name, lookup_flags);
    warm(reader, "key");
    build(type(), name, {{"key", "new"}, {"added", "yes"}});
    ASSERT_TRUE(time_until(reader, "key", "new", check_interval + slack))
        << "rebuild not seen";
    EXPECT_EQ(reader.value_of("added"), "yes");
}

TEST_P(SnapshotTest, BusyReaderSeesPostfixPostmapUpdatesWithinTheCheckInterval) {
    if (!have_postfix())
        GTEST_SKIP() << postfix_postmap << " not installed";
    std::string name = dir / "table";
    write_file(name, "key old\ngone soon\n");
    ASSERT_EQ(postmap(postfix_postmap, {type() + ":" + name}).status, 0);
    Table reader(type(), name, lookup_flags);
    warm(reader, "key");
    ASSERT_EQ(reader.value_of("gone"), "soon");
    RunResult r = postmap(postfix_postmap, {"-i", "-r", type() + ":" + name},
                          "key new\n");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(time_until(reader, "key", "new", check_interval + slack))
        << "postmap -i not seen";
    warm(reader, "key");
    r = postmap(postfix_postmap, {"-d", "gone", type() + ":" + name});
    ASSERT_EQ(r.status, 0) << r.err;
    auto start = Clock::now();
    while (reader.lookup("gone") == FERRY_FOUND &&
           Clock::now() - start < check_interval + slack)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(reader.lookup("gone"), FERRY_NOTFOUND) << "postmap -d not seen";
}

TEST_P(SnapshotTest, ReaderOfARemovedTableFailsTemporarilyAndRecovers) {
    std::string name = dir / "table";
    build(type(), name, {{"key", "value"}});
    Table reader(type(), name, lookup_flags);
    warm(reader, "key");
    ASSERT_EQ(::unlink((name + ".db").c_str()), 0);
    auto start = Clock::now();
    int status = FERRY_FOUND;
    while ((status = reader.lookup("key")) == FERRY_FOUND &&
           Clock::now() - start < check_interval + slack)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(status, FERRY_TEMPFAIL);
    EXPECT_NE(reader.error().find("No such file or directory"),
              std::string::npos)
        << reader.error();
    build(type(), name, {{"key", "back"}});
    EXPECT_EQ(reader.value_of("key"), "back");
}

// The safety proof: writers of every kind change the table over and over
// while two readers (one on snapshots, one on locked reads) look keys up.
// Every value is "gen<G>-<N>" for key "key<N>", written by generation G;
// keys with N % 10 == 0 are sometimes deleted.  A reader may see an old or
// a new generation, and "not found" only for those keys, never anything
// else: no garbage, no error, no crash.
TEST_P(SnapshotTest, ConcurrentWritersNeverShowAReaderGarbage) {
    const int keys = 1500;
    const int rounds = 8;
    std::string name = dir / "busy";
    auto entries_of = [&](int gen) {
        std::vector<std::pair<std::string, std::string>> entries;
        for (int n = 0; n < keys; ++n)
            entries.emplace_back("key" + std::to_string(n),
                                 "gen" + std::to_string(gen) + "-" +
                                     std::to_string(n));
        return entries;
    };
    build(type(), name, entries_of(0));

    std::atomic<int> generation{0}; // the newest generation being written
    std::atomic<bool> stop{false};
    std::mutex failures_mutex;
    std::vector<std::string> failures;
    auto fail = [&](const std::string &what) {
        std::lock_guard<std::mutex> hold(failures_mutex);
        if (failures.size() < 10)
            failures.push_back(what);
    };
    auto check = [&](int n, int status, const std::string &value,
                     const std::string &error) {
        std::string key = "key" + std::to_string(n);
        if (status == FERRY_NOTFOUND) {
            if (n % 10 != 0)
                fail(key + ": not found, but never deleted");
            return;
        }
        if (status != FERRY_FOUND) {
            fail(key + ": status " + std::to_string(status) + ": " + error);
            return;
        }
        std::string suffix = "-" + std::to_string(n);
        int gen = -1;
        if (value.rfind("gen", 0) == 0 && value.size() > 3 + suffix.size() &&
            value.compare(value.size() - suffix.size(), suffix.size(),
                          suffix) == 0) {
            std::string digits =
                value.substr(3, value.size() - 3 - suffix.size());
            if (digits.find_first_not_of("0123456789") == std::string::npos)
                gen = std::stoi(digits);
        }
        if (gen < 0 || gen > generation.load())
            fail(key + ": garbage value \"" + value + "\"");
    };

    Table busy(type(), name, lookup_flags);
    std::unique_ptr<Table> locked;
    {
        LimitScope off("0");
        locked = std::make_unique<Table>(type(), name, lookup_flags);
    }
    ASSERT_TRUE(busy.ok() && locked->ok());
    std::atomic<long> answered{0};
    auto read_loop = [&](Table &t, unsigned seed) {
        std::mt19937 rng(seed);
        auto deadline = Clock::now() + std::chrono::seconds(60);
        for (long i = 0; !stop && Clock::now() < deadline; ++i) {
            int n = static_cast<int>(rng() % keys);
            std::string value;
            int status = t.lookup("KEY" + std::to_string(n), &value);
            check(n, status, value, t.error());
            ++answered;
            // Let writers waiting for the exclusive lock in.
            if (i % 1024 == 0)
                std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    };
    std::thread busy_reader(read_loop, std::ref(busy), 1u);
    std::thread locked_reader(read_loop, std::ref(*locked), 2u);

    std::mt19937 rng(3);
    // postmap -i input: "key value" lines for `count` random keys, and as
    // many new filler records (never looked up): the table grows, so its
    // pages split and move under the readers, the riskiest kind of change.
    const std::string padding(100, 'p');
    auto some_keys = [&](int gen, int count) {
        std::string text;
        for (int i = 0; i < count; ++i) {
            int n = static_cast<int>(rng() % keys);
            text += "key" + std::to_string(n) + " gen" + std::to_string(gen) +
                    "-" + std::to_string(n) + "\n";
            text += "filler" + std::to_string(gen) + "-" + std::to_string(i) +
                    " " + padding + "\n";
        }
        return text;
    };
    auto deleted_key = [&] {
        return "key" + std::to_string(static_cast<int>(rng() % (keys / 10)) * 10);
    };
    std::string ferry = ferry_postmap();
    std::string spec = type() + ":" + name;
    int last = 0;
    for (int round = 0; round < rounds; ++round) {
        // Ferry's in-place writer (what ferry's postmap -i / -d run).
        {
            int gen = last = ++generation;
            Table writer(type(), name, write_flags);
            ASSERT_TRUE(writer.ok()) << writer.error();
            for (int i = 0; i < 300; ++i) {
                int n = static_cast<int>(rng() % keys);
                writer.update("key" + std::to_string(n),
                              "gen" + std::to_string(gen) + "-" + std::to_string(n));
                writer.update("filler" + std::to_string(gen) + "-" +
                                  std::to_string(i),
                              padding);
            }
            writer.remove(deleted_key());
            writer.remove(deleted_key());
        }
        if (have_postfix()) {
            int gen = last = ++generation;
            RunResult r = postmap(postfix_postmap, {"-i", "-r", spec},
                                  some_keys(gen, 300));
            EXPECT_EQ(r.status, 0) << r.err;
            r = postmap(postfix_postmap, {"-d", deleted_key(), spec});
            EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
        }
        if (!ferry.empty()) {
            int gen = last = ++generation;
            RunResult r = postmap(ferry, {"-i", "-r", spec},
                                  some_keys(gen, 300));
            EXPECT_EQ(r.status, 0) << r.err;
            r = postmap(ferry, {"-d", deleted_key(), spec});
            EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
        }
        // A full rebuild, renamed over the table.
        int gen = last = ++generation;
        build(type(), name, entries_of(gen));
        // Let the busy reader reach its next check now and then, so it
        // drops and rebuilds its snapshot during the run, not just once.
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    // The newest table is a whole rebuild: the busy reader must see it.
    std::string want = "gen" + std::to_string(last) + "-7";
    auto start = Clock::now();
    std::optional<Clock::duration> seen;
    {
        // Look from this thread through a handle of its own so the reader
        // threads keep running their checks meanwhile.
        Table late(type(), name, lookup_flags);
        EXPECT_EQ(late.value_of("key7"), want);
    }
    stop = true;
    busy_reader.join();
    locked_reader.join();
    seen = time_until(busy, "key7", want, check_interval + slack);
    EXPECT_TRUE(seen.has_value()) << "busy reader still answers an old table "
                                  << "after " << std::chrono::duration<double>(
                                         Clock::now() - start).count() << " s";
    EXPECT_EQ(locked->value_of("key7"), want);
    EXPECT_TRUE(failures.empty()) << failures.front();
    EXPECT_GT(answered.load(), 1000);
    for (const auto &entry : dir.entries())
        EXPECT_EQ(entry.find(".tmp"), std::string::npos) << entry;
}

INSTANTIATE_TEST_SUITE_P(Types, SnapshotTest, ::testing::Values("hash", "btree"));
