// queue_dirs.h - the queue directories under queue_directory, and the free
// space check the SMTP server makes before it accepts a message.
//
// The directory names and their roles are Postfix's: maildrop (local
// submissions), incoming (received, not yet seen by the queue manager),
// active, deferred, hold, corrupt, and the per-message logs bounce and defer.
// Files are created under a temporary name and become visible by rename.
#pragma once

#include "queue/status.h"

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::queue {

struct QueueDirSpec {
    std::string_view name;
    mode_t mode;
};

// Every queue directory with its mode.  maildrop is group-writable (0730) so
// the set-gid postdrop submission program can drop files; the others are
// private to mail_owner (0700), private/ included (the master's sockets for
// services such as local); public/ (0710) holds qmgr's trigger FIFO.  Ownership is set by set_queue_permissions(),
// which a master started by root runs at start.
const std::vector<QueueDirSpec> &queue_dir_specs();

inline constexpr std::string_view maildrop_dir = "maildrop";
inline constexpr std::string_view incoming_dir = "incoming";
inline constexpr std::string_view active_dir = "active";
inline constexpr std::string_view deferred_dir = "deferred";
inline constexpr std::string_view hold_dir = "hold";
inline constexpr std::string_view corrupt_dir = "corrupt";
inline constexpr std::string_view bounce_dir = "bounce";
inline constexpr std::string_view defer_dir = "defer";
inline constexpr std::string_view private_dir = "private";
inline constexpr std::string_view public_dir = "public";
// The queue manager's trigger FIFO, which postqueue -f writes to.
inline constexpr std::string_view qmgr_fifo = "public/qmgr";
inline constexpr std::string_view pid_dir = "pid";

// Creates queue_directory (0755, like Postfix's top) and every queue
// directory that is missing; existing ones are left as they are.  Fails with
// the path and cause when one cannot be made or exists as a non-directory.
Status create_queue_dirs(const std::string &queue_directory);

// The queue ids in one queue directory, sorted (Ferry's ids sort by
// arrival).  Names is_valid_queue_id() refuses (temporary ID.tmp files,
// hidden files, names with other characters) are skipped, as Postfix's
// queue scans skip names that are not queue ids.  Nothing if the
// directory cannot be read; errno then says why.
std::optional<std::vector<std::string>> queue_ids_in(const std::string &dir);

// What `postfix set-permissions` does to the queue (postfix-files), for a
// master running as root:
//   queue_directory              root, 0755
//   incoming active deferred hold corrupt bounce defer, and every file
//   and directory below them    mail_owner, directories 0700
//   private                      mail_owner, 0700
//   public                       mail_owner:setgid_group, 0710 (qmgr's FIFO)
//   maildrop                     mail_owner:setgid_group, 01730 (Debian's
//                                mode: the sticky bit keeps one submitter
//                                from removing another's file)
//   pid                          root, 0755
// Group ownership is left alone where postfix-files says "-".  Symbolic
// links are never followed, and a queue file with more than one link is
// left as it is (and named in `warnings`), so a link planted in a queue
// directory cannot make root chown a file elsewhere.  Needs root.
Status set_queue_permissions(const std::string &queue_directory, uid_t mail_owner, gid_t setgid_group,
                             std::vector<std::string> &warnings);

// Queue files a crash left under two names by cutting a move_durably()
// short: the same file (same inode) under the same queue id in two of
// corrupt, hold, active, deferred, incoming.  The name in the queue that
// comes first in that list stays (where the file was going, or where an
// administrator put it) and the others are removed.  Returns the removed
// names as "queue/ID"; failures go to `warnings` with their cause.
std::vector<std::string> finish_interrupted_moves(const std::string &queue_directory,
                                                  std::vector<std::string> &warnings);

// Temporary queue files ("ID.tmp", what a writer makes before the rename
// that shows its file) left by a crash: in each of `queues` (message
// queues: maildrop, incoming, active, deferred, hold), every regular file
// so named that was last changed before `before` is removed.  Returns the
// removed ones as "queue/ID.tmp"; what could not be removed goes to
// `warnings` with its cause.  Other names are never touched.
std::vector<std::string> purge_temporary_files(const std::string &queue_directory,
                                               const std::vector<std::string_view> &queues, std::time_t before,
                                               std::vector<std::string> &warnings);

// How old a temporary file must be before postsuper -p removes it, as in
// Postfix: a day.  (A master that starts removes incoming/'s at any age:
// no service of its own is writing them yet.)
inline constexpr std::time_t temporary_file_max_age = 24 * 60 * 60;

// queue_directory/queue/id.
std::string queue_file_path(std::string_view queue_directory, std::string_view queue,
                            std::string_view id);

// The free space decision, without the system call (for tests and for the
// SMTP server that caches statvfs results).  A message of message_size
// bytes (0 when the client sent no SIZE) may be accepted when all hold:
//   - free space is at least queue_minfree;
//   - the message fits in what is left above queue_minfree;
//   - the message takes at most half of the free space;
//   - free space is at least 1.5 x message_size_limit (when the limit is
//     not 0), so one maximal message can always be received.
// Otherwise the answer is 452 4.3.1 "Insufficient system storage".
bool space_allows(std::uint64_t free_bytes, std::uint64_t queue_minfree,
                  std::uint64_t message_size_limit, std::uint64_t message_size);

struct SpaceCheck {
    Status status;             // io_error when statvfs failed
    bool accept = false;       // the decision (false on error)
    std::uint64_t free_bytes = 0;
};

// statvfs(queue_directory) and space_allows().  Counts the blocks available
// to unprivileged users (f_bavail), since mail_owner is not root.
SpaceCheck check_queue_space(const std::string &queue_directory, std::uint64_t queue_minfree,
                             std::uint64_t message_size_limit, std::uint64_t message_size);

} // namespace ferry::queue
