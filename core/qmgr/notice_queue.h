// notice_queue.h - puts a message the mail system writes itself (a
// non-delivery notification, a delivery status report) into the queue,
// through the same durable path as every other message: a QueueFileWriter
// in incoming/, synced and renamed before the caller goes on, so the
// notice exists on disk before the recipients it reports are marked done.
#pragma once

#include "queue/queue_file.h"
#include "queue/queue_file_reader.h"
#include "queue/status.h"

#include <cstdint>
#include <functional>
#include <string>

namespace ferry::qmgr {

struct Notice {
    std::string sender;    // "" for the null sender
    std::string recipient; // who gets it
    bool eight_bit = false;
};

// Makes a new queue id, asks `build` for the content (which names that id
// in its Received: and Message-Id: headers), and commits the file to
// incoming/.  On success new_id is the id.
queue::Status queue_notice(const std::string &queue_directory, const Notice &notice,
                           const std::function<std::string(const std::string &new_id)> &build,
                           std::string &new_id);

// Reads the original message's content, at most `limit` bytes (0: all);
// returns "" or the error.
std::string read_content(const queue::QueueFileReader &reader, std::uint64_t limit, std::string &out);

} // namespace ferry::qmgr
