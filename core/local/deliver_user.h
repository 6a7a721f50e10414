// deliver_user.h - one copy of a message into one user's mailbox, in a
// child process running as that user.
//
// The child switches to the user's uid, gid and groups (when local runs as
// root), writes the mailbox (Maildir through the `maildir` transport
// module, mbox here) and reports one answer over a pipe.  A child that dies,
// or cannot switch users, is a deferral: the parent never assumes a
// delivery it was not told about.
#pragma once

#include "local/mailbox.h"
#include "qmgr/channel.h"

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>

namespace ferry::module {
class Transport;
}

namespace ferry::local {

struct UserCopy {
    std::string queue_id;
    std::string sender;
    std::string to;      // the final recipient (Delivered-To)
    std::string orig_to; // the recipient as queued (X-Original-To)
    std::string user;
    uid_t uid = 0;
    gid_t gid = 0;
    Mailbox mailbox;
    module::Transport *maildir = nullptr; // opened for mailbox.path, when a Maildir
    int fd = -1;                          // the queue file
    std::uint64_t offset = 0, size = 0;   // its message content
    std::time_t arrival = 0;
};

struct CopyResult {
    qmgr::Outcome outcome = qmgr::Outcome::deferred;
    std::string dsn;
    std::string text;
};

CopyResult deliver_user_copy(const UserCopy &copy);

} // namespace ferry::local
