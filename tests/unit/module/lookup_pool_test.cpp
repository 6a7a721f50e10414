// lookup_pool_test.cpp - the asynchronous lookup call: blocking tables run on
// the workers with one handle per lookup in flight, never one handle on two
// threads; answers complete on the caller's executor; other tables answer
// without a worker; failures keep their three-way result.
#include "maps/lookup_pool.h"
#include "module_test_support.h"
#include "../maps/temp_dir.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>
#include <vector>

namespace ferry::test {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct LookupPoolTest : ::testing::Test {
    TempDir registry;
    std::unique_ptr<MapCatalog> catalog;

    void SetUp() override {
        registry.write("slow.conf", "map tslow test-slow.so\n");
        CatalogOptions o;
        o.registry_dir = registry.path();
        o.module_path = {FERRY_TEST_MODULE_DIR};
        ::testing::internal::CaptureStderr();
        catalog = std::make_unique<MapCatalog>(o);
        ::testing::internal::GetCapturedStderr();
    }

    std::shared_ptr<PooledMap> open(LookupPool &pool, const std::string &spec) {
        std::string error;
        auto map = pool.open(spec, map_flags::lookup_default, error);
        EXPECT_TRUE(map) << error;
        return map;
    }
};

TEST_F(LookupPoolTest, BlockingLookupsOverlapOnWorkersWithOwnHandles) {
    LookupPool pool(*catalog, 4);
    auto map = open(pool, "tslow:20");
    ASSERT_TRUE(map);
    EXPECT_TRUE(map->may_block());

    asio::io_context io;
    std::vector<LookupResult> results(32);
    std::set<std::thread::id> completion_threads;
    for (size_t i = 0; i < results.size(); ++i) {
        map->async_lookup("key" + std::to_string(i), asio::bind_executor(io, [&, i](LookupResult r) {
            results[i] = std::move(r);
            completion_threads.insert(std::this_thread::get_id());
        }));
    }
    io.run();

    for (size_t i = 0; i < results.size(); ++i) {
        ASSERT_TRUE(results[i].is_found()) << i << ": " << results[i].reason;
        EXPECT_THAT(results[i].value, StartsWith("key" + std::to_string(i) + "@"));
    }
    // Every completion ran on the thread that runs the io_context.
    EXPECT_EQ(completion_threads, std::set<std::thread::id>{std::this_thread::get_id()});
    // Lookups overlapped, never more than the workers, each on its own handle.
    LookupResult stats = map->lookup("stats");
    ASSERT_TRUE(stats.is_found());
    int inflight = 0, handles = 0;
    ASSERT_EQ(std::sscanf(stats.value.c_str(), "inflight=%d handles=%d", &inflight, &handles), 2);
    EXPECT_GT(inflight, 1);
    EXPECT_LE(inflight, 4);
    EXPECT_LE(map->handles_opened(), pool.worker_count() + 1);
}

TEST_F(LookupPoolTest, CoroutineAwaitsTheAnswerAndTheLoopWaitsForIt) {
    LookupPool pool(*catalog, 2);
    auto map = open(pool, "tslow:30");
    ASSERT_TRUE(map);
    asio::io_context io;
    std::vector<std::string> answers;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        for (const char *key : {"a", "down", "b"}) {
            LookupResult r = co_await map->async_lookup(key, asio::use_awaitable);
            answers.push_back(r.is_found() ? r.value.substr(0, 1)
                                           : r.is_temp_fail() ? "tempfail: " + r.reason : "notfound");
        }
    }, asio::detached);
    // run() returns only when the coroutine is done: the pending lookup
    // keeps the io_context busy while it is on a worker.
    io.run();
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0], "a");
    EXPECT_THAT(answers[1], HasSubstr("server down"));
    EXPECT_THAT(answers[1], StartsWith("tempfail: "));
    EXPECT_EQ(answers[2], "b");
}

TEST_F(LookupPoolTest, NonBlockingTableAnswersOnTheCallersThreadButNeverInline) {
    LookupPool pool(*catalog, 2);
    auto map = open(pool, "inline:{ a=1, b=2 }");
    ASSERT_TRUE(map);
    EXPECT_FALSE(map->may_block());
    asio::io_context io;
    bool initiated = false, completed_after_initiation = false;
    LookupResult got;
    map->async_lookup("b", asio::bind_executor(io, [&](LookupResult r) {
        completed_after_initiation = initiated;
        got = std::move(r);
    }));
    initiated = true;
    io.run();
    EXPECT_TRUE(completed_after_initiation);
    ASSERT_TRUE(got.is_found());
    EXPECT_EQ(got.value, "2");
}

TEST_F(LookupPoolTest, NotFoundStaysNotFound) {
    LookupPool pool(*catalog, 1);
    auto map = open(pool, "inline:{ a=1 }");
    ASSERT_TRUE(map);
    asio::io_context io;
    LookupResult got = LookupResult::found("unset");
    map->async_lookup("zzz", asio::bind_executor(io, [&](LookupResult r) { got = std::move(r); }));
    io.run();
    EXPECT_EQ(got.status, LookupStatus::NotFound);
}

TEST_F(LookupPoolTest, TableThatCannotOpenIsReportedAtOpen) {
    LookupPool pool(*catalog, 2);
    std::string error;
    EXPECT_FALSE(pool.open("tslow:fail-open", map_flags::lookup_default, error));
    EXPECT_THAT(error, HasSubstr("tslow:fail-open"));
    EXPECT_THAT(error, HasSubstr("no route to host"));
    EXPECT_FALSE(pool.open("nosuchtype:x", map_flags::lookup_default, error));
    EXPECT_THAT(error, HasSubstr("nosuchtype"));
}

TEST_F(LookupPoolTest, DirectCallersFromManyThreadsShareHandlesSafely) {
    LookupPool pool(*catalog, 2);
    auto map = open(pool, "tslow:5");
    ASSERT_TRUE(map);
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i)
                if (!map->lookup("k").is_found())
                    ++bad;
        });
    for (auto &t : threads)
        t.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_LE(map->handles_opened(), pool.worker_count() + 1);
}

} // namespace
} // namespace ferry::test
