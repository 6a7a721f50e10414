// table_files.h - the file-system side of a .db table: Postfix-style locks,
// the temporary file a new table is built in, and the atomic switch-over.
//
// Locking follows Postfix on Linux (INTERNAL_LOCK is flock(2)): readers take
// a shared lock on the .db file around opening it and around each lookup;
// writers hold an exclusive lock.  So a Postfix postmap rebuilding a table in
// place and a Ferry reader (or the reverse) never see each other's half work.
#pragma once

#include <string>

namespace ferry::maps_hash {

// strerror() text for an errno value, as Postfix's %m.
std::string errno_text(int error);

// "dir/base" -> {"dir", "base"}; a bare name lives in ".".
struct PathParts {
    std::string dir;
    std::string base;
};
PathParts split_path(const std::string &path);

// Open `path` with open_flags and flock() it (LOCK_SH or LOCK_EX), retrying
// when the name was switched to a new file while we waited, so the lock is
// held on the file the name now denotes.  Returns the locked descriptor, or
// -1 with errno set (ENOENT when there is no such file).
int open_locked(const std::string &path, int open_flags, int how);

// flock() with EINTR retried; 0 or -1 with errno.
int lock_fd(int fd, int how);

// Create "<db_path>.tmpXXXXXX" exclusively with mode 0644 less the umask (as
// Postfix creates tables), next to db_path so a rename can replace it.
// Returns the descriptor and the name, or -1 with errno.
int create_temp(const std::string &db_path, std::string &tmp_path);

// Give the new file at fd the owner and permissions of the table it will
// replace, if there is one (an administrator's chmod survives a rebuild).
// Owner changes that need privileges we lack are skipped silently.
void inherit_owner_and_mode(int fd, const std::string &db_path);

// Make a rename in dir durable.  0 or -1 with errno.
int sync_dir(const std::string &dir);

} // namespace ferry::maps_hash
