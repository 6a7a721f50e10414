// pickup_file.h - one maildrop file through cleanup into incoming, as
// Postfix's pickup(8) and cleanup(8) do it for a local submission.
//
// The maildrop file is untrusted (any user allowed to submit wrote it), so
// only its sender, recipients, DSN fields, content and a sendmail -bv
// request (trace_flags=verify) are used; the
// submitter is the file's owner (lstat), shown in "Received: by HOST
// (Postfix, from userid UID)".  Addresses without a domain get
// @$myorigin.  A file postsuper -r put back (it carries a protocol, or the
// submitter_uid attribute pickup records, and is owned by the mail system)
// keeps its envelope and gets no second Received: header.  The new queue file is durable in incoming before the
// maildrop file is removed; a malformed file goes to corrupt/, a message
// cleanup refuses (too many hops, too big) to hold/ for the administrator.
#pragma once

#include "cleanup/content.h"

#include <functional>
#include <string>
#include <vector>

namespace ferry::pickup {

struct PickupContext {
    std::string queue_directory;
    std::string myhostname;
    std::string myorigin;
    std::string mail_name = "Postfix";
    long hopcount_limit = 50;
    long header_size_limit = 102400;
    long message_size_limit = 10240000;
    bool always_add_missing_headers = false;
    std::string undisclosed_recipients_header;
    // Logs the lines gathered so far, just before the new file becomes
    // visible in incoming/, so that "ID: uid=N from=<...>" precedes the
    // queue manager's lines about ID, as in Postfix (pflogsumm takes the
    // sender and size from the first lines it sees).  Unset: every line
    // stays in PickupResult::log.
    std::function<void(std::vector<cleanup::LogLine> &)> log_before_commit;
};

struct PickupResult {
    enum class Kind { queued, corrupt, held, gone, retry };
    Kind kind = Kind::gone;
    std::string queue_id;              // the new id, when queued
    std::vector<cleanup::LogLine> log; // what to log, in order
};

// Takes maildrop/<name>; name must be a valid queue id.
PickupResult pickup_file(const PickupContext &ctx, const std::string &name);

// "user" -> "user@origin"; addresses with a domain, and "", unchanged.
std::string qualify(const std::string &address, const std::string &origin);

} // namespace ferry::pickup
