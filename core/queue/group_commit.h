// group_commit.h - makes many sealed queue files durable and visible with
// shared syncs.
//
// Two stages, each on its own thread, so one batch's directory sync
// overlaps the next batch's file syncs:
//  1. the collector takes whatever requests are pending as a batch, syncs
//     its files (one syncfs for the whole batch when that pays, see
//     fs_sync.h; else each file's data, concurrently, on a pool of threads
//     that lives as long as the committer), and renames each to its queue
//     id;
//  2. the directory stage takes every batch renamed since its last round,
//     syncs each directory once for all of them, and only then calls each
//     request's completion callback.
// So no message is acknowledged before its own data and its directory entry
// are on stable storage, and N messages arriving together cost one
// syncfs (or N file syncs) and one directory sync.
//
// Few clients that each wait for their answer rarely arrive together, so
// the caller may announce() a message as its DATA begins: while announced
// messages are on their way, a new batch waits for them, at most half the
// time a recent batch took to sync (see Options::adaptive_linger).
//
// When the kernel holds too much other dirty data for one syncfs to pay,
// the collector syncs each file and may ask a thread of its own to write
// the file system out in the background, so that syncfs pays again (see
// fs_sync.h).
//
// Callbacks run on the directory stage's thread; the SMTP server posts them
// back to its event loop.  A request that fails gets the error text (file
// and cause) and leaves nothing visible: its temporary file is removed, and
// if only the directory sync failed, the renamed file is removed again.
// shutdown() (and the destructor) completes every request already submitted.
#pragma once

#include "queue/durable.h"
#include "queue/fs_sync.h"
#include "queue/status.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ferry::queue {

class GroupCommitter {
public:
    using Callback = std::function<void(const Status &)>;

    struct Options {
        // How long to wait after the first request of a batch for others
        // to join (0: take what is pending now; concurrency alone batches).
        std::chrono::microseconds linger{0};
        // With linger 0: while messages announced by announce() are still
        // on their way, wait for them, but no longer than this nor half
        // the time a recent batch took to sync (0: never wait).  A few
        // clients that each wait for their answer then share flushes
        // instead of taking turns at them.
        std::chrono::microseconds adaptive_linger{500};
        // Most files in one batch.
        size_t max_batch = 1024;
        // When one syncfs stands for the batch's file syncs.
        enum class FileSystemSyncUse { never, when_it_pays, always };
        FileSystemSyncUse file_system_sync = FileSystemSyncUse::when_it_pays;
        // Where the kernel's dirty counts are read (see fs_sync.h).
        std::string meminfo = "/proc/meminfo";
    };

    struct Stats {
        std::uint64_t files = 0;            // requests completed
        std::uint64_t batches = 0;          // batches collected (stage 1)
        std::uint64_t directory_syncs = 0;  // directory fsyncs made (stage 2)
        std::uint64_t file_system_syncs = 0; // batches synced by one syncfs
        std::uint64_t drains = 0;           // background write-outs done (see fs_sync.h)
    };

    GroupCommitter();
    explicit GroupCommitter(Options options);
    GroupCommitter(const GroupCommitter &) = delete;
    GroupCommitter &operator=(const GroupCommitter &) = delete;
    ~GroupCommitter(); // shutdown()

    // Queues file for commit.  After shutdown() the file is discarded and
    // done is called at once, on the caller's thread, with an error.
    // `announced`: this file's message was announced (see announce()).
    void submit(SealedFile file, Callback done, bool announced = false);

    // A message has begun (its DATA) and will be submitted soon, with
    // announced = true, or given up with abandoned().  See adaptive_linger.
    void announce();
    void abandoned();

    // Completes every pending request, then stops the thread.  Idempotent.
    void shutdown();

    Stats stats() const;

private:
    struct Request {
        SealedFile file;
        Callback done;
        Status status;
    };

    class SyncPool;

    void collect();              // stage 1
    bool sync_files(std::vector<Request> &batch); // true: by one syncfs
    void sync_directories();     // stage 2
    void complete(std::vector<Request> &done);
    void drain(const SealedFile &file); // asks for a background write-out
    void drain_loop();

    Options options_;
    std::unique_ptr<SyncPool> pool_;
    FileSystemSync file_system_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;       // stage 1: pending_ or stopping_
    std::condition_variable renamed_cv_; // stage 2: renamed_ or collected_all_
    std::vector<Request> pending_;
    std::vector<Request> renamed_;       // stage 1's output, stage 2's input
    bool stopping_ = false;
    bool collected_all_ = false;         // stage 1 has ended
    std::size_t announced_ = 0;          // announced, not yet submitted
    std::chrono::microseconds sync_time_{0}; // recent batches' file sync time (average)
    Stats stats_;
    std::thread collector_;
    std::thread directory_stage_;

    // The background write-out: one at a time, on a thread of its own,
    // started the first time one is asked for.
    std::mutex drain_mutex_;
    std::condition_variable drain_cv_;
    int drain_fd_ = -1;       // a descriptor on the file system to write out
    std::string drain_path_;  // for the error text
    bool drain_stop_ = false;
    std::thread drainer_;
};

} // namespace ferry::queue
