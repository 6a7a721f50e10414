// lookup_pool.h - table lookups that may block, kept off the event loop.
//
// DESIGN.md: a blocking call on a loop thread is a bug.  Tables whose type
// declares map_props::blocking (mysql:, ldap:) are looked up on a small pool
// of worker threads; every other table answers at once on the caller's
// thread, because a worker hop costs more than a hash or regexp lookup.
//
// A module handle serves one thread at a time (plugin.h), so a PooledMap
// keeps several handles of its table and lends one to each lookup in
// flight: at most one per worker, opened on demand and kept, so database
// connections are reused.  Sixty-four lookups in flight on an eight-worker
// pool use eight handles and eight connections.
//
// The answer comes through Boost.Asio's completion-token mechanism, so a
// coroutine on an io_context writes
//     LookupResult r = co_await map->async_lookup(key, asio::use_awaitable);
// and a callback, a future or a deferred operation work as well.  The
// completion always runs on the handler's associated executor, never inside
// async_lookup() itself, even for tables that answer at once.
#pragma once

#include "maps/catalog.h"
#include "maps/map.h"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

class LookupPool;

// One table as seen through a pool.  Shared by everyone who uses the table;
// the pool must outlive it.
class PooledMap : public std::enable_shared_from_this<PooledMap> {
public:
    PooledMap(LookupPool &pool, std::string spec, unsigned flags,
              std::unique_ptr<Map> first, size_t max_handles);

    const std::string &spec() const { return spec_; }
    unsigned props() const { return props_; }
    bool may_block() const { return props_ & map_props::blocking; }

    // Looks key up on the calling thread with a borrowed handle (waits when
    // all handles are lent out).  For tools and for worker threads.
    LookupResult lookup(std::string_view key);

    // Looks key up without blocking the caller: on a worker for a blocking
    // table, at once otherwise.  Completion signature: void(LookupResult).
    template <typename CompletionToken>
    auto async_lookup(std::string key, CompletionToken &&token);

    // Handles opened so far (for tests and the benchmark).
    size_t handles_opened() const;

private:
    // A handle lent to one lookup, returned on destruction.
    class Loan;
    friend class Loan;
    std::unique_ptr<Map> borrow(std::string &error);
    void give_back(std::unique_ptr<Map> handle);

    boost::asio::thread_pool &workers();

    LookupPool &pool_;
    std::string spec_;
    unsigned flags_;
    unsigned props_;
    size_t max_handles_;

    mutable std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Map>> idle_;
    size_t opened_ = 0;
};

class LookupPool {
public:
    // `workers` threads serve blocking tables (at least one).
    LookupPool(MapCatalog &catalog, size_t workers);
    // Finishes the lookups already queued, then joins the workers.
    ~LookupPool();
    LookupPool(const LookupPool &) = delete;
    LookupPool &operator=(const LookupPool &) = delete;

    // Opens "type:name" for use through the pool.  The first handle is
    // opened here, so a table that cannot be opened is reported now: on
    // failure the result is null and error names the table and the cause.
    std::shared_ptr<PooledMap> open(std::string_view spec, unsigned flags,
                                    std::string &error);

    size_t worker_count() const { return worker_count_; }

private:
    friend class PooledMap;
    MapCatalog &catalog_;
    size_t worker_count_;
    boost::asio::thread_pool workers_;
};

template <typename CompletionToken>
auto PooledMap::async_lookup(std::string key, CompletionToken &&token) {
    auto initiate = [self = shared_from_this()](auto handler, std::string key) {
        auto ex = boost::asio::get_associated_executor(handler);
        if (!self->may_block()) {
            LookupResult r = self->lookup(key);
            boost::asio::post(ex, [h = std::move(handler), r = std::move(r)]() mutable {
                std::move(h)(std::move(r));
            });
            return;
        }
        // Keep the caller's executor busy (an io_context must not run out of
        // work while a lookup it waits for is on a worker).
        auto tracked = boost::asio::prefer(
            ex, boost::asio::execution::outstanding_work.tracked);
        boost::asio::post(self->workers(), [self, ex = std::move(tracked), key = std::move(key),
                                            h = std::move(handler)]() mutable {
            LookupResult r = self->lookup(key);
            boost::asio::dispatch(ex, [h = std::move(h), r = std::move(r)]() mutable {
                std::move(h)(std::move(r));
            });
        });
    };
    return boost::asio::async_initiate<CompletionToken, void(LookupResult)>(
        std::move(initiate), token, std::move(key));
}

} // namespace ferry
