// group_commit.cpp - see group_commit.h.
#include "queue/group_commit.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "log/msg.h"

#include <unistd.h>

#include <exception>
#include <map>

namespace ferry::queue {

GroupCommitter::GroupCommitter() : GroupCommitter(Options{}) {}

GroupCommitter::GroupCommitter(Options options) : options_(options) {
    if (options_.max_batch == 0) options_.max_batch = 1;
    thread_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() { shutdown(); }

void GroupCommitter::submit(SealedFile file, Callback done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            pending_.push_back(Request{std::move(file), std::move(done), {}});
            wake_.notify_one();
            return;
        }
    }
    Status status(StatusCode::invalid,
                  "queue file " + file.temp_path() + ": group committer is shut down");
    file.discard();
    if (done) done(status);
}

void GroupCommitter::shutdown() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
}

GroupCommitter::Stats GroupCommitter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void GroupCommitter::run() {
    std::vector<Request> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
            if (pending_.empty()) return; // stopping, and drained
            if (options_.linger.count() > 0 && !stopping_) {
                auto until = std::chrono::steady_clock::now() + options_.linger;
                wake_.wait_until(lock, until, [this] {
                    return stopping_ || pending_.size() >= options_.max_batch;
                });
            }
            size_t take = std::min(pending_.size(), options_.max_batch);
            batch.assign(std::make_move_iterator(pending_.begin()),
                         std::make_move_iterator(pending_.begin() + static_cast<long>(take)));
            pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(take));
        }
        commit_batch(batch);
        batch.clear();
    }
}

// Each file's data, synced from several threads at once: the block layer
// merges their cache flushes, where one thread syncing file after file
// pays a whole device flush per message.
void GroupCommitter::sync_batch(std::vector<Request> &batch) {
    constexpr std::size_t max_threads = 16;
    std::size_t threads = std::min(batch.size(), max_threads);
    if (threads <= 1) {
        for (auto &r : batch) r.status = sync_file(r.file.fd(), r.file.temp_path());
        return;
    }
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < batch.size();)
            batch[i].status = sync_file(batch[i].file.fd(), batch[i].file.temp_path());
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto &t : pool) t.join();
}

void GroupCommitter::commit_batch(std::vector<Request> &batch) {
    // 1. Each file's data.  2. Each rename.  Failures drop out here.
    sync_batch(batch);
    std::map<std::string, std::vector<Request *>> renamed; // by directory
    for (auto &r : batch) {
        if (r.status) r.status = rename_no_replace(r.file.temp_path(), r.file.final_path());
        if (!r.status) {
            r.file.discard();
            continue;
        }
        r.file.close();
        renamed[r.file.directory()].push_back(&r);
    }
    // 3. One sync per directory makes every rename in it durable.
    std::uint64_t dir_syncs = 0;
    for (auto &[dir, requests] : renamed) {
        Status s = sync_directory(dir);
        ++dir_syncs;
        if (s) continue;
        for (Request *r : requests) {
            ::unlink(r->file.final_path().c_str());
            r->status = Status(s.code(), "queue file " + r->file.final_path() + ": " + s.text());
        }
    }
    {
        std::lock_guard lock(mutex_);
        stats_.files += batch.size();
        stats_.batches += 1;
        stats_.directory_syncs += dir_syncs;
    }
    // 4. Only now may anyone be told.
    for (auto &r : batch) {
        if (!r.done) continue;
        try {
            r.done(r.status);
        } catch (const std::exception &e) {
            msg::warning(std::string("group commit: completion callback threw: ") + e.what());
        } catch (...) {
            msg::warning("group commit: completion callback threw");
        }
    }
}

} // namespace ferry::queue
