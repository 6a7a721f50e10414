// maildrop.h - a local submission written to the maildrop queue, as
// Postfix's postdrop writes it, for the pickup service to take.
//
// A maildrop file has the queue file layout of docs/queue-format.md: the
// envelope as the submitter gave it (sender and recipients maybe without a
// domain) and the content exactly as read, LF line ends.  It is written
// under a temporary name and becomes visible by one rename, after an fsync,
// so pickup never sees half a file.
//
// Ferry's sendmail is not set-gid: the submitting user needs write and
// search access to maildrop (mode 0730: the owner, and the group when the
// administrator gives local users that group), or root submits.  Files are
// made mode 0644 so that pickup can read what another user dropped; the
// directory's missing read and search bits for others keep them private.
#pragma once

#include "queue/queue_file.h"
#include "queue/queue_file_writer.h"
#include "queue/status.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::pickup {

class MaildropWriter {
public:
    // Creates maildrop/<id>.tmp under queue_directory with the envelope.
    // size_limit is message_size_limit (0: none).
    queue::Status open(const std::string &queue_directory, const queue::Envelope &envelope,
                       std::uint64_t size_limit);
    queue::Status append(std::string_view content);
    // Sync, rename to the id, sync the directory.
    queue::Status finish();
    void abort() { writer_.abort(); }

    const std::string &queue_id() const { return writer_.queue_id(); }
    std::uint64_t content_size() const { return writer_.content_size(); }

private:
    queue::QueueFileWriter writer_;
};

} // namespace ferry::pickup
