// defer_log.h - why recipients of a queued message are waiting: the
// per-message logfile `defer/ID`, which the queue manager writes as it
// defers recipients and mailq / postqueue -p / -j show as the "(reason)"
// line and `delay_reason` (docs/queue-format.md, "Defer logs").
//
// Postfix's shape: one record per deferred recipient, `name=value` lines
// ended by an empty line (recipient, orcpt, status, action, reason).  The
// queue manager removes the file when it starts a new delivery attempt
// and when the message leaves the queue, so what is there belongs to the
// last attempt.  The log is advisory: a lost or damaged one costs only the
// listing its reasons, never mail.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::qmgr {

struct DeferRecord {
    std::string recipient;
    std::string orcpt;  // DSN ORCPT, "" when none
    std::string status; // "4.3.0"
    std::string reason; // one line
};

std::string encode_defer_record(const DeferRecord &record);
// The records of a logfile's text; a record without a recipient, and a
// line without '=', are skipped (a torn last write).
std::vector<DeferRecord> decode_defer_log(std::string_view text);

std::string defer_log_path(const std::string &queue_directory, const std::string &queue_id);
// Appends one record; returns "" or what went wrong (for a warning).
std::string append_defer_record(const std::string &queue_directory, const std::string &queue_id,
                                const DeferRecord &record);
// The records, or none when there is no logfile.
std::vector<DeferRecord> read_defer_log(const std::string &queue_directory, const std::string &queue_id);
// Removes the logfile; returns "" or the error (a missing file is no error).
std::string remove_defer_log(const std::string &queue_directory, const std::string &queue_id);

} // namespace ferry::qmgr
