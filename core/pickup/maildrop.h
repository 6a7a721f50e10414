// maildrop.h - a local submission written to the maildrop queue, as
// Postfix's postdrop writes it, for the pickup service to take.
//
// A maildrop file has the queue file layout of docs/queue-format.md: the
// envelope as the submitter gave it (sender and recipients maybe without a
// domain) and the content exactly as read, LF line ends.  It is written
// under a temporary name and becomes visible by one rename, after an fsync,
// so pickup never sees half a file.
//
// sendmail is not set-uid or set-gid.  Root, mail_owner and members of
// setgid_group write maildrop themselves (mode 1730).  Anyone else's file
// is written to an anonymous memory file and handed to the postdrop
// program, which is set-gid setgid_group and writes it into maildrop as
// Postfix's postdrop does (core/cmd/postdrop.cpp).  Files are mode 0644 so
// that pickup can read what another user dropped; the directory's missing
// read and search bits for others keep them private.
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
    // The way in for a user who may not write maildrop.
    struct Postdrop {
        std::string program;          // the postdrop executable
        std::string config_directory; // passed as -c unless empty
    };

    // Creates maildrop/<id>.tmp under queue_directory with the envelope,
    // or, when this user may not write maildrop and `postdrop` is given,
    // an anonymous file for postdrop.  size_limit is message_size_limit
    // (0: none).
    queue::Status open(const std::string &queue_directory, const queue::Envelope &envelope,
                       std::uint64_t size_limit, const Postdrop *postdrop = nullptr);
    queue::Status append(std::string_view content);
    // Sync, rename to the id, sync the directory; or run postdrop with the
    // file as its standard input (it reports its own errors on stderr).
    queue::Status finish();
    void abort() { writer_.abort(); }
    bool through_postdrop() const { return !postdrop_.program.empty(); }

    const std::string &queue_id() const { return writer_.queue_id(); }
    std::uint64_t content_size() const { return writer_.content_size(); }

private:
    queue::Status run_postdrop(int fd);

    queue::QueueFileWriter writer_;
    Postdrop postdrop_; // program empty: maildrop written directly
};

} // namespace ferry::pickup
