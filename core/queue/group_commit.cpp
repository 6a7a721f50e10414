// group_commit.cpp - see group_commit.h.
#include "queue/group_commit.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "log/msg.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <exception>
#include <map>
#include <utility>

namespace ferry::queue {

// Threads that sync one batch's files at once.  They live as long as the
// committer: starting them per batch cost a clone and a stack mapping for
// nearly every message.  The thread that calls sync() works too.
class GroupCommitter::SyncPool {
public:
    explicit SyncPool(std::size_t max_threads) : max_threads_(std::max<std::size_t>(max_threads, 1)) {}
    SyncPool(const SyncPool &) = delete;
    SyncPool &operator=(const SyncPool &) = delete;

    ~SyncPool() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        start_.notify_all();
        for (auto &t : threads_) t.join();
    }

    // Syncs every request's file; returns when all are synced.
    void sync(std::vector<Request> &batch) {
        std::size_t helpers = std::min(batch.size(), max_threads_) - (batch.empty() ? 0 : 1);
        if (helpers == 0) {
            for (auto &r : batch) r.status = sync_file(r.file.fd(), r.file.temp_path());
            return;
        }
        {
            std::lock_guard lock(mutex_);
            while (threads_.size() < helpers) threads_.emplace_back([this] { work(); });
            batch_ = &batch;
            next_ = 0;
            wanted_ = helpers;
            busy_ = helpers;
            ++generation_;
        }
        // Wake only the helpers this batch wants: waking all of them cost
        // every idle one a trip through the scheduler per batch.
        for (std::size_t i = 0; i < helpers; ++i) start_.notify_one();
        drain(batch);
        // Every file is synced or being synced: a helper that has not
        // started yet would find nothing left to do, so it is not waited
        // for.  (Waiting for it cost a trip through the scheduler, and a
        // wake-up lost on the way - glibc 2.36's condition variables can
        // lose one - held the batch for ever.)
        std::unique_lock lock(mutex_);
        busy_ -= wanted_;
        wanted_ = 0;
        finished_.wait(lock, [this] { return busy_ == 0; });
        batch_ = nullptr;
    }

private:
    void drain(std::vector<Request> &batch) {
        for (std::size_t i; (i = next_.fetch_add(1)) < batch.size();)
            batch[i].status = sync_file(batch[i].file.fd(), batch[i].file.temp_path());
    }

    void work() {
        std::uint64_t seen = 0;
        std::unique_lock lock(mutex_);
        for (;;) {
            start_.wait(lock, [&] { return stop_ || (generation_ != seen && wanted_ > 0); });
            if (stop_) return;
            seen = generation_;
            --wanted_;
            std::vector<Request> *batch = batch_;
            lock.unlock();
            drain(*batch);
            lock.lock();
            if (--busy_ == 0) finished_.notify_one();
        }
    }

    const std::size_t max_threads_;
    std::mutex mutex_;
    std::condition_variable start_, finished_;
    std::vector<std::thread> threads_;
    std::vector<Request> *batch_ = nullptr;
    std::atomic<std::size_t> next_{0};
    std::size_t wanted_ = 0; // helpers still to join this generation
    std::size_t busy_ = 0;   // helpers not yet done with it
    std::uint64_t generation_ = 0;
    bool stop_ = false;
};

GroupCommitter::GroupCommitter() : GroupCommitter(Options{}) {}

GroupCommitter::GroupCommitter(Options options)
    : options_(std::move(options)), file_system_(2u << 20, options_.meminfo.c_str()) {
    if (options_.max_batch == 0) options_.max_batch = 1;
    pool_ = std::make_unique<SyncPool>(16);
    collector_ = std::thread([this] { collect(); });
    directory_stage_ = std::thread([this] { sync_directories(); });
}

GroupCommitter::~GroupCommitter() { shutdown(); }

void GroupCommitter::announce() {
    std::lock_guard lock(mutex_);
    ++announced_;
}

void GroupCommitter::abandoned() {
    std::lock_guard lock(mutex_);
    if (announced_ > 0) --announced_;
    wake_.notify_one();
}

void GroupCommitter::submit(SealedFile file, Callback done, bool announced) {
    {
        std::lock_guard lock(mutex_);
        if (announced && announced_ > 0) --announced_;
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
    if (collector_.joinable()) collector_.join();
    if (directory_stage_.joinable()) directory_stage_.join();
    {
        std::lock_guard lock(drain_mutex_);
        drain_stop_ = true;
    }
    drain_cv_.notify_one();
    if (drainer_.joinable()) drainer_.join();
    pool_.reset();
}

GroupCommitter::Stats GroupCommitter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

// Stage 1: each batch's file data, then each rename.  Failures drop out
// here (temporary file removed) but still travel on, to be told in order.
void GroupCommitter::collect() {
    std::vector<Request> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
            if (pending_.empty()) break; // stopping, and drained
            if (options_.linger.count() > 0 && !stopping_) {
                auto until = std::chrono::steady_clock::now() + options_.linger;
                wake_.wait_until(lock, until, [this] {
                    return stopping_ || pending_.size() >= options_.max_batch;
                });
            } else if (announced_ > 0 && !stopping_) {
                // Messages in mid-DATA arrive within a round trip or so;
                // waiting for them costs less than the flushes they would
                // otherwise need of their own.
                auto wait = std::min(options_.adaptive_linger, sync_time_ / 2);
                if (wait.count() > 0)
                    wake_.wait_until(lock, std::chrono::steady_clock::now() + wait, [this] {
                        return stopping_ || announced_ == 0 || pending_.size() >= options_.max_batch;
                    });
            }
            size_t take = std::min(pending_.size(), options_.max_batch);
            batch.assign(std::make_move_iterator(pending_.begin()),
                         std::make_move_iterator(pending_.begin() + static_cast<long>(take)));
            pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(take));
        }
        auto started = std::chrono::steady_clock::now();
        bool whole_file_system = sync_files(batch);
        auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        for (auto &r : batch) {
            if (r.status) r.status = rename_no_replace(r.file.temp_path(), r.file.final_path());
            if (r.status) r.file.close();
            else r.file.discard();
        }
        {
            std::lock_guard lock(mutex_);
            stats_.batches += 1;
            stats_.file_system_syncs += whole_file_system ? 1 : 0;
            sync_time_ += (took - sync_time_) / 8;
            for (auto &r : batch) renamed_.push_back(std::move(r));
        }
        renamed_cv_.notify_one();
        batch.clear();
    }
    {
        std::lock_guard lock(mutex_);
        collected_all_ = true;
    }
    renamed_cv_.notify_one();
}

// Stage 1's syncs: one syncfs when every file is in one directory and the
// kernel holds little other dirty data (see fs_sync.h), else each file's.
// A failed syncfs may be another program's write error: each file's own
// sync then decides.
bool GroupCommitter::sync_files(std::vector<Request> &batch) {
    using Use = Options::FileSystemSyncUse;
    bool one_directory = std::all_of(batch.begin(), batch.end(), [&](const Request &r) {
        return r.file.directory() == batch.front().file.directory();
    });
    bool use = !batch.empty() && one_directory && options_.file_system_sync != Use::never;
    if (use && options_.file_system_sync == Use::when_it_pays) {
        std::uint64_t bytes = 0;
        for (const auto &r : batch) {
            struct stat st {};
            if (::fstat(r.file.fd(), &st) == 0) bytes += static_cast<std::uint64_t>(st.st_size);
            bytes += 8192; // the file's inode and directory blocks, a partial page
        }
        auto choice = file_system_.choose(bytes, std::chrono::steady_clock::now());
        use = choice == FileSystemSync::Choice::file_system;
        if (choice == FileSystemSync::Choice::each_file_and_drain) drain(batch.front().file);
    }
    if (use) {
        Status s = FileSystemSync::sync(batch.front().file.fd(), batch.front().file.directory());
        if (s) return true;
        msg::warning("group commit: " + s.text() + "; syncing each file instead");
    }
    pool_->sync(batch);
    return false;
}

// A write-out already asked for and not yet begun stands for this one.
// Without a descriptor to give the thread, the chance is only missed.
void GroupCommitter::drain(const SealedFile &file) {
    int fd = ::fcntl(file.fd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return;
    std::lock_guard lock(drain_mutex_);
    if (drain_fd_ >= 0 || drain_stop_) {
        ::close(fd);
        return;
    }
    drain_fd_ = fd;
    drain_path_ = file.directory();
    if (!drainer_.joinable()) drainer_ = std::thread([this] { drain_loop(); });
    drain_cv_.notify_one();
}

// Completes a write-out asked for before shutdown, then ends.  A failure
// may be another program's write error: it is logged and changes nothing
// (every message's own sync still decides for it).
void GroupCommitter::drain_loop() {
    std::unique_lock lock(drain_mutex_);
    for (;;) {
        drain_cv_.wait(lock, [this] { return drain_stop_ || drain_fd_ >= 0; });
        if (drain_fd_ < 0) return;
        int fd = std::exchange(drain_fd_, -1);
        std::string path = drain_path_;
        lock.unlock();
        Status s = FileSystemSync::sync(fd, path);
        ::close(fd);
        if (!s) msg::warning("group commit: background write-out: " + s.text());
        {
            std::lock_guard stats_lock(mutex_);
            stats_.drains += 1;
        }
        lock.lock();
    }
}

// Stage 2: one sync per directory makes every rename in it durable, for
// every batch renamed since the last round.  Only then may anyone be told.
void GroupCommitter::sync_directories() {
    std::vector<Request> round;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            renamed_cv_.wait(lock, [this] { return collected_all_ || !renamed_.empty(); });
            if (renamed_.empty()) return; // stage 1 has ended, and all is told
            round.swap(renamed_);
        }
        std::map<std::string, std::vector<Request *>> by_directory;
        for (auto &r : round)
            if (r.status) by_directory[r.file.directory()].push_back(&r);
        std::uint64_t dir_syncs = 0;
        for (auto &[dir, requests] : by_directory) {
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
            stats_.files += round.size();
            stats_.directory_syncs += dir_syncs;
        }
        complete(round);
        round.clear();
    }
}

void GroupCommitter::complete(std::vector<Request> &done) {
    for (auto &r : done) {
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
