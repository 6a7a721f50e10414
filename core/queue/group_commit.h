// group_commit.h - makes many sealed queue files durable and visible with
// shared syncs.
//
// One background thread takes whatever requests are pending as a batch:
// it syncs each file's data, renames each to its queue id, syncs each
// directory once for the whole batch, and only then calls each request's
// completion callback.  So no message is acknowledged before its own data and
// its directory entry are on stable storage, and N messages arriving together
// cost N file syncs but one directory sync.
//
// Callbacks run on the committer thread; the SMTP server posts them back to
// its event loop.  A request that fails gets the error text (file and cause)
// and leaves nothing visible: its temporary file is removed, and if only the
// directory sync failed, the renamed file is removed again.  shutdown() (and
// the destructor) completes every request already submitted.
#pragma once

#include "queue/durable.h"
#include "queue/status.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
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
        // Most files in one batch.
        size_t max_batch = 1024;
    };

    struct Stats {
        std::uint64_t files = 0;            // requests completed
        std::uint64_t batches = 0;          // batches processed
        std::uint64_t directory_syncs = 0;  // directory fsyncs made
    };

    GroupCommitter();
    explicit GroupCommitter(Options options);
    GroupCommitter(const GroupCommitter &) = delete;
    GroupCommitter &operator=(const GroupCommitter &) = delete;
    ~GroupCommitter(); // shutdown()

    // Queues file for commit.  After shutdown() the file is discarded and
    // done is called at once, on the caller's thread, with an error.
    void submit(SealedFile file, Callback done);

    // Completes every pending request, then stops the thread.  Idempotent.
    void shutdown();

    Stats stats() const;

private:
    struct Request {
        SealedFile file;
        Callback done;
        Status status;
    };

    void run();
    void commit_batch(std::vector<Request> &batch);
    static void sync_batch(std::vector<Request> &batch);

    Options options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Request> pending_;
    bool stopping_ = false;
    Stats stats_;
    std::thread thread_;
};

} // namespace ferry::queue
