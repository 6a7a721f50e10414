// db_table.h - one open hash: or btree: table, a Berkeley DB file that
// Postfix's dict_db can read and write as well.
//
// The file is NAME.db.  It is opened as Postfix does: a private Berkeley DB
// environment whose home is the table's directory, a 128 KiB cache for
// readers (berkeley_db_read_buffer_size) and 16 MiB for builders
// (berkeley_db_create_buffer_size), 4096 expected elements for hash files.
//
// Three ways to open, from the host's FERRY_MAP_* flags:
//  - read: lookups under a shared flock per call, as Postfix daemons do; a
//    file rewritten in place since (postmap -i, -d) or replaced by rename
//    (Ferry's rebuilds) is reopened before the lookup.  A busy reader then
//    switches to an in-memory snapshot of the whole table (see "Snapshot"
//    in db_table.cpp): no lock and no system call per lookup, the file
//    checked for changes at most once a second;
//  - write: update in place under an exclusive flock held until close, as
//    postmap -i / -d do;
//  - create: build NAME.db.tmpXXXXXX beside the table; commit() syncs it and
//    renames it over NAME.db, so readers see the old table or the new one,
//    never a half-built one; close() without commit deletes it.
//
// Every method returns a ferry_status and fills `why` on failure; nothing
// here throws on a table problem (exceptions are only for out of memory).
#pragma once

#include <db.h>
#include <sys/stat.h>

#include <ferry/plugin.h>

#include "snapshot.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ferry::maps_hash {

class DbTable {
public:
    DbTable(std::string_view type, std::string_view name, unsigned flags,
            const ferry_host *host);
    ~DbTable();
    DbTable(const DbTable &) = delete;
    DbTable &operator=(const DbTable &) = delete;

    // Returns FERRY_FOUND when the table is open, else an error and why.
    int open(std::string &why);

    // FERRY_FOUND with the value given to `value` (which may be null).
    int lookup(std::string_view key, ferry_sink *value, std::string &why);
    // FERRY_FOUND stored; FERRY_NOTFOUND the key existed and its first
    // value was kept (DUP_IGNORE / DUP_WARN, as Postfix's dict_update
    // returns 1); FERRY_CONFIG for a duplicate with no DUP_* flag (Postfix
    // makes that fatal); FERRY_TEMPFAIL for a database error.
    int update(std::string_view key, std::string_view value, std::string &why);
    int remove(std::string_view key, std::string &why);
    int sequence(int how, std::string &key, std::string &value,
                 std::string &why);
    int commit(std::string &why);

    // Berkeley DB's own diagnostic text arrives here (see db_table.cpp).
    void db_message(const char *text);

private:
    bool creating() const { return (flags_ & FERRY_MAP_CREATE) != 0; }
    bool writing() const {
        return (flags_ & (FERRY_MAP_WRITE | FERRY_MAP_CREATE)) != 0;
    }
    int open_environment(const std::string &dir, std::string &why);
    int open_database(const std::string &base, u_int32_t db_flags,
                      std::string &why);
    int usable(std::string &why) const;
    // Shared lock around one read when we are a plain reader.
    int read_lock(std::string &why);
    void read_unlock();
    std::string prepare_key(std::string_view key) const;
    // One probe for a key as stored (NUL included or not): from the
    // snapshot when there is one, else from the file.
    int get(std::string_view stored, ferry_sink *value, std::string &why);
    // The NUL-convention probes of one lookup, on key_ (prepared, with
    // room for the NUL at the end).
    int probe(ferry_sink *value, std::string &why);
    void log(int level, const std::string &text) const;
    bool changed_on_disk() const;
    int reopen(std::string &why);
    int locked_lookup(ferry_sink *value, std::string &why);
    // Snapshot upkeep (db_table.cpp, "Snapshot").
    bool snapshot_current();
    void take_snapshot();
    // FERRY_FOUND loaded (stamp: the file read); FERRY_NOTFOUND not now
    // (the name moved on meanwhile); FERRY_CONFIG over the memory budget;
    // FERRY_TEMPFAIL the table could not be read (why says so).
    int load_snapshot(Snapshot &into, struct stat &stamp, std::string &why);
    void close_environment();
    void release();

    std::string type_;
    std::string db_path_;  // NAME.db, as named in every message
    std::string tmp_path_; // the file being built, for create
    unsigned flags_;      // current; lookups lock in the NUL convention
    unsigned open_flags_; // as opened, for a reopen
    const ferry_host *host_;
    DB_ENV *env_ = nullptr;
    DB *db_ = nullptr;
    DBC *cursor_ = nullptr;
    int db_fd_ = -1;   // Berkeley DB's descriptor: readers flock it
    int lock_fd_ = -1; // write: exclusive lock held until close
    int tmp_fd_ = -1;  // create: the temporary file, fsynced at commit
    bool committed_ = false;
    struct stat opened_ {}; // the file as opened, to notice in-place rewrites

    std::string key_;            // the lookup key being probed, reused
    std::uint64_t file_lookups_ = 0; // lookups served from the file since open
    std::uint64_t snapshot_after_ = 0; // ... before a snapshot pays off
    std::size_t snapshot_limit_ = 0;   // bytes; 0: never
    std::unique_ptr<Snapshot> snapshot_;
    struct stat snapshot_stamp_ {}; // the file the snapshot was read from
    bool snapshot_racy_ = false; // a change could hide behind equal stamps
    bool snapshot_refused_ = false; // too big or unreadable: until reopened
    std::int64_t next_check_ns_ = 0; // CLOCK_MONOTONIC_COARSE
};

} // namespace ferry::maps_hash
