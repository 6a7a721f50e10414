// notice_queue.cpp - see notice_queue.h.
#include "qmgr/notice_queue.h"

#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_writer.h"
#include "queue/queue_id.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace ferry::qmgr {

queue::Status queue_notice(const std::string &queue_directory, const Notice &notice,
                           const std::function<std::string(const std::string &new_id)> &build,
                           std::string &new_id) {
    queue::Envelope env;
    env.arrival_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch())
                                                    .count());
    env.sender = notice.sender;
    env.recipients.push_back({notice.recipient, "", 0, false});
    env.body = notice.eight_bit ? queue::BodyType::eight_bit_mime : queue::BodyType::seven_bit;
    std::string id = queue::new_queue_id();
    queue::QueueFileWriter writer;
    auto st = writer.open(queue::join_path(queue_directory, queue::incoming_dir), id, env, 0);
    if (st.ok()) st = writer.append(build(id));
    if (st.ok()) st = writer.finish();
    if (!st.ok()) {
        writer.abort();
        return st;
    }
    new_id = id;
    return st;
}

std::string read_content(const queue::QueueFileReader &reader, std::uint64_t limit, std::string &out) {
    std::uint64_t left = reader.content_size();
    if (limit > 0 && left > limit) left = limit;
    out.assign(static_cast<size_t>(left), '\0');
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::pread(reader.fd(), out.data() + done, out.size() - done,
                            static_cast<off_t>(reader.content_offset() + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            out.resize(done);
            return n < 0 ? queue::io_error_text("read", reader.path(), errno) : "queue file " + reader.path() +
                                                                                   ": truncated";
        }
        done += static_cast<size_t>(n);
    }
    return "";
}

} // namespace ferry::qmgr
