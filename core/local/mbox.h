// mbox.h - delivery to a UNIX mbox file, as local(8) does it: the
// "From sender date" separator line, Return-Path/Delivered-To headers, the
// message with every line that begins with "From " quoted as ">From ", and
// an empty line after it; the file locked with fcntl() while it is
// appended to, synced, and cut back to its old size when anything fails,
// so a failed delivery never leaves half a message behind.
#pragma once

#include <ctime>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::local {

// "From alice@example.org Mon Jan  2 03:04:05 2006\n"; the null sender is
// MAILER-DAEMON.  `when` is shown in local time (as ctime() would).
std::string mbox_from_line(std::string_view sender, std::time_t when);

// Quotes "From " at the start of a line, across chunk boundaries.
class MboxQuoter {
public:
    // Appends chunk, quoted, to out.
    void feed(std::string_view chunk, std::string &out);
    // Flushes what was held back (a line start that might have become
    // "From ") and, when the message did not end in a newline, adds one.
    void finish(std::string &out);

private:
    bool line_start_ = true;
    std::string held_; // a prefix of "From " seen at a line start
};

struct MboxResult {
    bool ok = false;
    std::string dsn;  // on failure: "4.2.0", "4.3.1", "4.2.2" (always a deferral)
    std::string text; // on failure: what failed, naming the file
};

// Appends one message to the mbox at `path` (created 0600 when missing).
// `headers` go after the From_ line; the content is size bytes of fd from
// offset.  Every failure is a deferral: a local disk problem never bounces.
MboxResult deliver_to_mbox(const std::string &path, std::string_view sender, std::time_t when,
                           std::string_view headers, int fd, std::uint64_t offset,
                           std::uint64_t size);

} // namespace ferry::local
