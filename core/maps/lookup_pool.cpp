// lookup_pool.cpp - see lookup_pool.h.
#include "maps/lookup_pool.h"

#include <algorithm>
#include <chrono>
#include <utility>

namespace ferry {

namespace {

// Module reasons come as the module wrote them; name the table once.
std::string with_table(std::string_view spec, const std::string &reason) {
    if (reason.find(spec) != std::string::npos)
        return reason;
    return "table " + std::string(spec) + ": " + reason;
}

} // namespace

class PooledMap::Loan {
public:
    Loan(PooledMap &owner, std::unique_ptr<Map> handle)
        : owner_(owner), handle_(std::move(handle)) {}
    ~Loan() {
        if (handle_)
            owner_.give_back(std::move(handle_));
    }
    Loan(const Loan &) = delete;
    Loan &operator=(const Loan &) = delete;
    Map *operator->() const { return handle_.get(); }

private:
    PooledMap &owner_;
    std::unique_ptr<Map> handle_;
};

PooledMap::PooledMap(LookupPool &pool, std::string spec, unsigned flags,
                     std::unique_ptr<Map> first, size_t max_handles)
    : pool_(pool), spec_(std::move(spec)), flags_(flags), props_(first->props()),
      max_handles_(std::max<size_t>(1, max_handles)) {
    idle_.push_back(std::move(first));
    opened_ = 1;
}

size_t PooledMap::handles_opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
}

boost::asio::thread_pool &PooledMap::workers() { return pool_.workers_; }

std::unique_ptr<Map> PooledMap::borrow(std::string &error) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!idle_.empty()) {
            auto h = std::move(idle_.back());
            idle_.pop_back();
            return h;
        }
        if (opened_ < max_handles_)
            break;
        // Bounded, then look again: a give_back's wake-up can be lost
        // (glibc 2.36, sourceware bug 25847) and no other may follow.
        returned_.wait_for(lock, std::chrono::milliseconds(100));
    }
    ++opened_; // reserve the slot, open outside the lock (it may connect)
    lock.unlock();
    OpenedMap m = pool_.catalog_.open(spec_, flags_);
    if (!m.map) {
        lock.lock();
        --opened_;
        returned_.notify_one();
        error = with_table(spec_, m.error);
    }
    return std::move(m.map);
}

void PooledMap::give_back(std::unique_ptr<Map> handle) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(handle));
    }
    returned_.notify_one();
}

LookupResult PooledMap::lookup(std::string_view key) {
    std::string error;
    std::unique_ptr<Map> h = borrow(error);
    if (!h)
        return LookupResult::temp_fail(error);
    Loan loan(*this, std::move(h));
    return loan->lookup(key);
}

LookupPool::LookupPool(MapCatalog &catalog, size_t workers)
    : catalog_(catalog), worker_count_(std::max<size_t>(1, workers)),
      workers_(worker_count_) {}

LookupPool::~LookupPool() { workers_.join(); }

std::shared_ptr<PooledMap> LookupPool::open(std::string_view spec, unsigned flags,
                                            std::string &error) {
    OpenedMap first = catalog_.open(spec, flags);
    if (!first.map) {
        error = with_table(spec, first.error);
        return nullptr;
    }
    // A table that answers at once is used from the caller's threads; a
    // blocking one needs a handle per worker, plus one for direct callers.
    size_t handles = worker_count_ + 1;
    return std::make_shared<PooledMap>(*this, std::string(spec), flags,
                                       std::move(first.map), handles);
}

} // namespace ferry
