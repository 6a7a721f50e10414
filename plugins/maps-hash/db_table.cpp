// db_table.cpp - a hash: or btree: table on Berkeley DB, spelled and locked
// the way Postfix's dict_db does so either program can read the other's files.
//
// Snapshot: why a busy reader answers from memory.
//   Postfix's readers take a shared flock around every lookup (and Ferry's
//   did), because postmap -i / -d change a .db in place under an exclusive
//   flock, and pages read half-way through such an update are garbage.
//   That lock, the fstat that notices a changed file and Berkeley DB's page
//   reads through a 128 KiB cache cost about 3.5 us a lookup.  Reading
//   without the lock is not safe: a reader can start while a writer is
//   half-way through, and mtime (kernel clock ticks) cannot tell a write
//   during our read from one before it.  So instead, once a handle has
//   answered snapshot_after_ lookups from the file (a one-shot postmap -q
//   never gets there; the threshold grows with the file, so the copy is
//   only made when the lookups already paid for about as much as it
//   costs), it reads the whole table once, under the shared lock with
//   freshly opened handles, into a Snapshot, and answers from memory.
//   Every snapshot_check_interval at most it fstat()s the file: a new
//   size, mtime or ctime (an in-place update) or no link left (a rebuild
//   renamed over it, or a delete) drops the snapshot; the handle reopens
//   the table by name and reads it from the file again until it has paid
//   for the next snapshot.  A snapshot whose file was written moments
//   before it was read ("racy": a later write in the same clock tick would
//   leave the stamp unchanged) is dropped at its first check.  Answers are
//   therefore always a whole version of the table, never a mix, and a
//   change is seen within snapshot_check_interval.  A table bigger than
//   the memory budget ($FERRY_HASH_SNAPSHOT_LIMIT bytes, default 64 MiB;
//   0 turns snapshots off) stays on locked per-lookup reads.
#include "db_table.h"

#include "table_files.h"
#include "table_keys.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace ferry::maps_hash {

namespace {

// Postfix's defaults for the two cache parameters (main.cf may override).
constexpr unsigned long read_cache_default = 128 * 1024;
constexpr unsigned long create_cache_default = 16 * 1024 * 1024;
// Postfix sizes new hash files for this many elements (DICT_DB_NELM); the
// same value gives the same bucket layout, so db_dump output matches.
constexpr u_int32_t hash_nelem = 4096;

// Snapshot policy (see the top of this file).
constexpr std::int64_t snapshot_check_interval_ns = 1'000'000'000;
constexpr std::size_t snapshot_limit_default = 64u << 20;
// Measured on Debian 12 (2 cores): a lookup from the file (flock, fstat,
// Berkeley DB get through the 128 KiB cache, unlock) costs about 3.8 us;
// a snapshot costs about 1.2 ns per byte of file to build (12 ms for a
// 10 MiB, 100,000-entry table), so it pays for itself after about one
// lookup per 3 KiB of file.  A snapshot is made after one lookup per 8 KiB:
// when the lookups so far have cost about half of it, a bet that a reader
// this busy keeps going (daemons do).  The floor keeps one-shot queries
// (postmap -q key) from ever reading a whole table.
constexpr std::uint64_t snapshot_bytes_per_lookup = 8192;
constexpr std::uint64_t snapshot_after_min = 64;
// How close to "now" a file's mtime/ctime must be for a write in the same
// timestamp tick to be possible: a few kernel ticks on file systems with
// sub-second stamps, two seconds on those with whole seconds only.
constexpr std::int64_t racy_fine_ns = 50'000'000;
constexpr std::int64_t racy_coarse_ns = 2'000'000'000;
// Records are read into this buffer many at a time to build a snapshot.
constexpr std::size_t bulk_buffer_size = 1u << 20;

std::int64_t clock_ns(clockid_t clock) {
    struct timespec ts {};
    ::clock_gettime(clock, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t ns_of(const struct timespec &ts) {
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// $FERRY_HASH_SNAPSHOT_LIMIT: the most memory one table's snapshot may use.
std::size_t snapshot_limit() {
    const char *text = std::getenv("FERRY_HASH_SNAPSHOT_LIMIT");
    if (text == nullptr || *text == '\0')
        return snapshot_limit_default;
    char *end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(text, &end, 10);
    if (errno != 0 || end == nullptr || *end != '\0')
        return snapshot_limit_default;
    return static_cast<std::size_t>(value);
}

// The same version of the same file: nothing was written to it since.
bool same_version(const struct stat &a, const struct stat &b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
           a.st_size == b.st_size &&
           ns_of(a.st_mtim) == ns_of(b.st_mtim) &&
           ns_of(a.st_ctim) == ns_of(b.st_ctim);
}

// Could a write right after this stamp was taken leave it unchanged?
bool racy_stamp(const struct stat &st) {
    bool fine = st.st_mtim.tv_nsec != 0 || st.st_ctim.tv_nsec != 0;
    std::int64_t margin = fine ? racy_fine_ns : racy_coarse_ns;
    std::int64_t now = clock_ns(CLOCK_REALTIME);
    std::int64_t latest = std::max(ns_of(st.st_mtim), ns_of(st.st_ctim));
    return latest > now - margin && latest < now + margin;
}

void on_db_error(const DB_ENV *env, const char *, const char *text) {
    if (env != nullptr && env->app_private != nullptr)
        static_cast<DbTable *>(env->app_private)->db_message(text);
}

// Postfix's sanitize(): DB_KEYEMPTY is reported as EINVAL.
std::string db_error_text(int rc) {
    if (rc == DB_KEYEMPTY)
        rc = EINVAL;
    return ::db_strerror(rc);
}

bool host_has_log(const ferry_host *host) {
    return host != nullptr &&
           host->size >= offsetof(ferry_host, log) + sizeof host->log &&
           host->log != nullptr;
}

bool host_has_param(const ferry_host *host) {
    return host != nullptr &&
           host->size >= offsetof(ferry_host, param) + sizeof host->param &&
           host->param != nullptr;
}

// A main.cf size parameter, or the default when unset or not a number.
unsigned long size_param(const ferry_host *host, const char *name,
                         unsigned long fallback) {
    if (!host_has_param(host))
        return fallback;
    std::string text;
    ferry_sink sink{&text, [](void *ctx, const char *data, size_t len) {
                        static_cast<std::string *>(ctx)->append(data, len);
                    }};
    if (host->param(host->ctx, name, &sink) != 1 || text.empty())
        return fallback;
    char *end = nullptr;
    unsigned long value = std::strtoul(text.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || value == 0 || value > 0xffffffffUL)
        return fallback;
    return value;
}

DBT as_dbt(const std::string &bytes) {
    DBT dbt{};
    dbt.data = const_cast<char *>(bytes.data());
    dbt.size = static_cast<u_int32_t>(bytes.size());
    return dbt;
}

std::string as_text(const DBT &dbt) {
    return std::string(c_string(static_cast<const char *>(dbt.data), dbt.size));
}

void emit(ferry_sink *sink, std::string_view bytes) {
    if (sink != nullptr && sink->put != nullptr)
        sink->put(sink->ctx, bytes.data(), bytes.size());
}

} // namespace

DbTable::DbTable(std::string_view type, std::string_view name, unsigned flags,
                 const ferry_host *host)
    : type_(type), db_path_(std::string(name) + ".db"), flags_(flags),
      host_(host) {
    // As dict_db_open: a caller that names no convention accepts both.
    if ((flags_ & (FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL)) == 0)
        flags_ |= FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL;
    open_flags_ = flags_;
    if (!writing())
        snapshot_limit_ = snapshot_limit();
}

DbTable::~DbTable() { release(); }

void DbTable::log(int level, const std::string &text) const {
    if (host_has_log(host_))
        host_->log(host_->ctx, level, text.c_str());
}

void DbTable::db_message(const char *text) {
    // Berkeley DB explains an open failure ("file size not a multiple of the
    // pagesize") before returning a bare EINVAL; keep that for the log.
    if (text != nullptr)
        log(FERRY_LOG_WARNING, text);
}

int DbTable::open(std::string &why) {
    PathParts parts = split_path(db_path_);
    int lock = -1;
    std::string base = parts.base;
    u_int32_t db_flags = 0;

    if (creating()) {
        tmp_fd_ = create_temp(db_path_, tmp_path_);
        if (tmp_fd_ < 0) {
            why = "open database " + db_path_ + ": " + errno_text(errno);
            return FERRY_CONFIG;
        }
        inherit_owner_and_mode(tmp_fd_, db_path_);
        base = split_path(tmp_path_).base;
        // The file exists but is empty: DB_TRUNCATE makes Berkeley DB
        // initialise it, as postmap does with the table it rewrites.
        db_flags = DB_CREATE | DB_TRUNCATE;
    } else if (flags_ & FERRY_MAP_WRITE) {
        lock_fd_ = open_locked(db_path_, O_RDWR, LOCK_EX);
        if (lock_fd_ < 0 && errno != ENOENT) {
            why = "open database " + db_path_ + ": " + errno_text(errno);
            return FERRY_CONFIG;
        }
        db_flags = DB_CREATE;
    } else {
        // As Postfix: a shared lock while the file's metadata is read, so a
        // postmap rewriting it in place is not caught half-way.
        lock = open_locked(db_path_, O_RDONLY, LOCK_SH);
        if (lock < 0 && errno != ENOENT) {
            why = "open database " + db_path_ + ": " + errno_text(errno);
            return FERRY_CONFIG;
        }
        db_flags = DB_RDONLY;
    }

    int status = open_environment(parts.dir, why);
    if (status == FERRY_FOUND) {
        if ((status = open_database(base, db_flags, why)) != FERRY_FOUND)
            why = "open database " + db_path_ + ": " + why;
    }
    // The stamp that later tells an in-place change, taken while no
    // writer can be at work.
    if (status == FERRY_FOUND)
        (void)::fstat(db_fd_, &opened_);
    if (lock >= 0)
        ::close(lock);
    if (status == FERRY_FOUND && (flags_ & FERRY_MAP_WRITE) && !creating() &&
        lock_fd_ < 0) {
        // The table did not exist and Berkeley DB just created it.
        lock_fd_ = open_locked(db_path_, O_RDWR, LOCK_EX);
        if (lock_fd_ < 0) {
            why = "lock database " + db_path_ + ": " + errno_text(errno);
            status = FERRY_CONFIG;
        }
    }
    if (status != FERRY_FOUND) {
        release();
        return status;
    }
    if (lock_fd_ >= 0)
        (void)::fstat(db_fd_, &opened_);
    file_lookups_ = 0;
    snapshot_refused_ = false;
    snapshot_after_ = std::max<std::uint64_t>(
        snapshot_after_min,
        static_cast<std::uint64_t>(opened_.st_size) / snapshot_bytes_per_lookup);
    return FERRY_FOUND;
}

bool DbTable::changed_on_disk() const {
    if (writing())
        return false;
    struct stat now {};
    if (::fstat(db_fd_, &now) != 0)
        return false;
    // No link left: a rebuild was renamed over the table (or it was
    // removed).  Postfix's dict_changed() uses the same sign; its daemons
    // then restart, we reopen the name.
    if (now.st_nlink == 0)
        return true;
    return now.st_size != opened_.st_size ||
           now.st_mtim.tv_sec != opened_.st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != opened_.st_mtim.tv_nsec;
}

int DbTable::reopen(std::string &why) {
    // postmap (or a Ferry writer) changed the file in place, or replaced
    // it; pages cached from before may no longer match it.  Postfix
    // daemons restart on this; a fresh handle on the same name gives the
    // same answers.
    snapshot_.reset();
    if (cursor_ != nullptr) {
        cursor_->close(cursor_);
        cursor_ = nullptr;
    }
    if (db_ != nullptr) {
        db_->close(db_, 0);
        db_ = nullptr;
        db_fd_ = -1;
    }
    close_environment();
    flags_ = open_flags_;
    if (open(why) != FERRY_FOUND)
        return FERRY_TEMPFAIL;
    return FERRY_FOUND;
}

int DbTable::open_environment(const std::string &dir, std::string &why) {
    // A private environment homed in the table's directory, as Postfix
    // does: otherwise Berkeley DB reads DB_CONFIG from whatever the current
    // directory happens to be.
    int rc = ::db_env_create(&env_, 0);
    if (rc != 0) {
        env_ = nullptr;
        why = "open database " + db_path_ + ": create DB environment: " +
              db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    env_->app_private = this;
    env_->set_errcall(env_, on_db_error);
    unsigned long cache =
        writing() ? size_param(host_, "berkeley_db_create_buffer_size",
                               create_cache_default)
                  : size_param(host_, "berkeley_db_read_buffer_size",
                               read_cache_default);
    rc = env_->set_cachesize(env_, 0, static_cast<u_int32_t>(cache), 0);
    if (rc == 0)
        rc = env_->open(env_, dir.c_str(),
                        DB_INIT_MPOOL | DB_CREATE | DB_PRIVATE, 0);
    if (rc != 0) {
        why = "open database " + db_path_ + ": " + db_error_text(rc);
        return FERRY_CONFIG;
    }
    return FERRY_FOUND;
}

int DbTable::open_database(const std::string &base, u_int32_t db_flags,
                           std::string &why) {
    int rc = ::db_create(&db_, env_, 0);
    if (rc != 0) {
        db_ = nullptr;
        why = db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    DBTYPE db_type = type_ == "btree" ? DB_BTREE : DB_HASH;
    if (db_type == DB_HASH && (rc = db_->set_h_nelem(db_, hash_nelem)) != 0) {
        why = db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    rc = db_->open(db_, nullptr, base.c_str(), nullptr, db_type, db_flags, 0644);
    if (rc != 0) {
        why = db_error_text(rc);
        return FERRY_CONFIG;
    }
    if ((rc = db_->fd(db_, &db_fd_)) != 0) {
        why = db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    return FERRY_FOUND;
}

void DbTable::release() {
    if (cursor_ != nullptr) {
        cursor_->close(cursor_);
        cursor_ = nullptr;
    }
    if (db_ != nullptr) {
        // An abandoned build is deleted below; no point writing it out.
        db_->close(db_, creating() && !committed_ ? DB_NOSYNC : 0);
        db_ = nullptr;
        db_fd_ = -1;
    }
    close_environment();
    if (tmp_fd_ >= 0) {
        ::close(tmp_fd_);
        tmp_fd_ = -1;
    }
    if (!tmp_path_.empty() && !committed_) {
        ::unlink(tmp_path_.c_str());
        tmp_path_.clear();
    }
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
        lock_fd_ = -1;
    }
}

void DbTable::close_environment() {
    if (env_ == nullptr)
        return;
    // After Berkeley DB meets a corrupt page it marks the environment as
    // panicked, and close would then skip freeing its cache.
    env_->set_flags(env_, DB_NOPANIC, 1);
    env_->close(env_, 0);
    env_ = nullptr;
}

int DbTable::usable(std::string &why) const {
    if (db_ != nullptr)
        return FERRY_FOUND;
    why = db_path_ + (committed_ ? ": table was already committed"
                                 : ": table is not open");
    return FERRY_CONFIG;
}

int DbTable::read_lock(std::string &why) {
    // Writers hold their exclusive lock for the whole session and builders
    // work on a private file; only plain readers lock per call.
    if (writing())
        return FERRY_FOUND;
    if (lock_fd(db_fd_, LOCK_SH) < 0) {
        why = db_path_ + ": lock dictionary: " + errno_text(errno);
        return FERRY_TEMPFAIL;
    }
    return FERRY_FOUND;
}

void DbTable::read_unlock() {
    if (!writing())
        (void)lock_fd(db_fd_, LOCK_UN);
}

std::string DbTable::prepare_key(std::string_view key) const {
    return (flags_ & FERRY_MAP_FOLD) ? fold_ascii(key) : std::string(key);
}

int DbTable::get(std::string_view stored, ferry_sink *value,
                 std::string &why) {
    if (snapshot_) {
        std::optional<std::string_view> found = snapshot_->find(stored);
        if (!found)
            return FERRY_NOTFOUND;
        emit(value, *found);
        return FERRY_FOUND;
    }
    DBT key{};
    key.data = const_cast<char *>(stored.data());
    key.size = static_cast<u_int32_t>(stored.size());
    DBT data{};
    int rc = db_->get(db_, nullptr, &key, &data, 0);
    if (rc == 0) {
        emit(value, c_string(static_cast<const char *>(data.data), data.size));
        return FERRY_FOUND;
    }
    if (rc == DB_NOTFOUND)
        return FERRY_NOTFOUND;
    why = "error reading " + db_path_ + ": " + db_error_text(rc);
    return FERRY_TEMPFAIL;
}

int DbTable::probe(ferry_sink *value, std::string &why) {
    // key_ ends with the NUL; the 0NULL spelling is the same bytes less it.
    std::string_view with_nul(key_);
    std::string_view without_nul = with_nul.substr(0, with_nul.size() - 1);
    // Try the file's convention; once a key is found one way, the table is
    // known to be written that way and the other is never tried again.
    int status = FERRY_NOTFOUND;
    if (flags_ & FERRY_MAP_TRY1NULL) {
        status = get(with_nul, value, why);
        if (status == FERRY_FOUND)
            flags_ &= ~FERRY_MAP_TRY0NULL;
    }
    if (status == FERRY_NOTFOUND && (flags_ & FERRY_MAP_TRY0NULL)) {
        status = get(without_nul, value, why);
        if (status == FERRY_FOUND)
            flags_ &= ~FERRY_MAP_TRY1NULL;
    }
    return status;
}

int DbTable::lookup(std::string_view key, ferry_sink *value,
                    std::string &why) {
    key_.assign(key);
    if (flags_ & FERRY_MAP_FOLD)
        for (char &ch : key_)
            if (ch >= 'A' && ch <= 'Z')
                ch = static_cast<char>(ch - 'A' + 'a');
    key_.push_back('\0');
    if (snapshot_ && snapshot_current())
        return probe(value, why);
    if (snapshot_) {
        // The file changed: read the new version from the file until it
        // has paid for a new snapshot.
        if (int status = reopen(why); status != FERRY_FOUND)
            return status;
    }
    int status = locked_lookup(value, why);
    if (status != FERRY_TEMPFAIL && !writing() && !snapshot_refused_ &&
        ++file_lookups_ >= snapshot_after_)
        take_snapshot();
    return status;
}

int DbTable::locked_lookup(ferry_sink *value, std::string &why) {
    // A reader whose table went away (a reopen failed) tries again, so it
    // recovers when the table is back; until then: temporary failure.
    if (db_ == nullptr && !writing() && !committed_) {
        if (int status = reopen(why); status != FERRY_FOUND)
            return status;
    }
    if (int status = usable(why); status != FERRY_FOUND)
        return status;
    if (int status = read_lock(why); status != FERRY_FOUND)
        return status;
    if (changed_on_disk()) {
        read_unlock();
        if (int status = reopen(why); status != FERRY_FOUND)
            return status;
        if (int status = read_lock(why); status != FERRY_FOUND)
            return status;
    }
    int status = probe(value, why);
    read_unlock();
    return status;
}

bool DbTable::snapshot_current() {
    std::int64_t now = clock_ns(CLOCK_MONOTONIC_COARSE);
    if (now < next_check_ns_)
        return true;
    next_check_ns_ = now + snapshot_check_interval_ns;
    struct stat st {};
    if (::fstat(db_fd_, &st) != 0 || st.st_nlink == 0)
        return false;
    return !snapshot_racy_ && same_version(st, snapshot_stamp_);
}

void DbTable::take_snapshot() {
    // Whatever goes wrong, do not try again before the file changes (a
    // reopen clears snapshot_refused_).
    if (snapshot_limit_ == 0 ||
        static_cast<std::uint64_t>(opened_.st_size) / 2 > snapshot_limit_) {
        snapshot_refused_ = true;
        return;
    }
    auto snapshot = std::make_unique<Snapshot>(
        snapshot_limit_, static_cast<std::size_t>(opened_.st_size));
    struct stat stamp {};
    std::string why;
    int status = load_snapshot(*snapshot, stamp, why);
    if (status == FERRY_NOTFOUND)
        return; // try again after the next snapshot_after_ lookups
    if (status != FERRY_FOUND) {
        snapshot_refused_ = true;
        // Lookups carry on from the file, which reports its own errors.
        if (status == FERRY_TEMPFAIL)
            log(FERRY_LOG_WARNING, why + "; answering from the file");
        return;
    }
    snapshot_ = std::move(snapshot);
    snapshot_stamp_ = stamp;
    snapshot_racy_ = racy_stamp(stamp);
    next_check_ns_ = clock_ns(CLOCK_MONOTONIC_COARSE) + snapshot_check_interval_ns;
}

int DbTable::load_snapshot(Snapshot &into, struct stat &stamp,
                           std::string &why) {
    // Hold a shared lock on the table by name across opening and reading
    // it, so no writer can be at work in between, and read through fresh
    // handles, so no page cached before is trusted.  (Shared flocks by the
    // same process on several descriptors do not conflict.)
    int lock = open_locked(db_path_, O_RDONLY, LOCK_SH);
    if (lock < 0) {
        why = "open database " + db_path_ + ": " + errno_text(errno);
        return FERRY_TEMPFAIL;
    }
    struct stat before = opened_;
    unsigned learned = flags_;
    int status = reopen(why);
    struct stat held {};
    if (status == FERRY_FOUND &&
        (::fstat(lock, &held) != 0 || held.st_dev != opened_.st_dev ||
         held.st_ino != opened_.st_ino)) {
        // The name moved on between our lock and Berkeley DB's open: the
        // handle now reads the newer file; copy it some other time.
        why.clear();
        status = FERRY_NOTFOUND;
    }
    if (status != FERRY_FOUND) {
        ::close(lock);
        return status;
    }
    // The same file as before: keep the NUL convention already learned.
    if (same_version(before, held))
        flags_ = learned;
    // Bulk reads: a buffer full of records per call instead of one
    // cursor step per record.
    std::vector<char> buffer(bulk_buffer_size);
    DBC *cursor = nullptr;
    int rc = db_->cursor(db_, nullptr, &cursor, 0);
    bool fits = true;
    while (rc == 0 && fits) {
        DBT k{};
        DBT d{};
        d.data = buffer.data();
        d.ulen = static_cast<u_int32_t>(buffer.size());
        d.flags = DB_DBT_USERMEM;
        rc = cursor->get(cursor, &k, &d, DB_MULTIPLE_KEY | DB_NEXT);
        if (rc == DB_BUFFER_SMALL && d.size > buffer.size()) {
            // One record bigger than the buffer: grow it and ask again.
            buffer.resize(d.size);
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        void *at = nullptr;
        DB_MULTIPLE_INIT(at, &d);
        for (;;) {
            void *kd = nullptr, *vd = nullptr;
            u_int32_t kl = 0, vl = 0;
            DB_MULTIPLE_KEY_NEXT(at, &d, kd, kl, vd, vl);
            if (at == nullptr)
                break;
            std::string_view key(static_cast<const char *>(kd), kl);
            if (!(fits = into.add(key, c_string(static_cast<const char *>(vd),
                                                vl))))
                break;
        }
    }
    if (cursor != nullptr)
        cursor->close(cursor);
    ::close(lock);
    if (!fits)
        return FERRY_CONFIG;
    if (rc != DB_NOTFOUND) {
        why = "error reading " + db_path_ + ": " + db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    into.finish();
    stamp = held;
    return FERRY_FOUND;
}

int DbTable::update(std::string_view key, std::string_view value,
                    std::string &why) {
    if (int status = usable(why); status != FERRY_FOUND)
        return status;
    if (!writing()) {
        why = db_path_ + ": table was not opened for update";
        return FERRY_CONFIG;
    }
    std::string name = prepare_key(key);
    // Undecided: write with the NUL, Postfix's choice on this platform.
    if ((flags_ & FERRY_MAP_TRY1NULL) && (flags_ & FERRY_MAP_TRY0NULL))
        flags_ &= ~FERRY_MAP_TRY0NULL;
    bool with_nul = (flags_ & FERRY_MAP_TRY1NULL) != 0;
    std::string stored_key = stored_form(name, with_nul);
    std::string stored_value = stored_form(value, with_nul);
    DBT k = as_dbt(stored_key);
    DBT v = as_dbt(stored_value);
    u_int32_t put_flags = (flags_ & FERRY_MAP_DUP_REPLACE) ? 0 : DB_NOOVERWRITE;
    int rc = db_->put(db_, nullptr, &k, &v, put_flags);
    if (rc == 0)
        return FERRY_FOUND;
    if (rc != DB_KEYEXIST) {
        why = "error writing " + db_path_ + ": " + db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    // postmap's words, so log watchers keep matching them.
    std::string dup = db_path_ + ": duplicate entry: \"" + name + "\"";
    if (flags_ & FERRY_MAP_DUP_IGNORE)
        return FERRY_NOTFOUND;
    if (flags_ & FERRY_MAP_DUP_WARN) {
        log(FERRY_LOG_WARNING, dup);
        return FERRY_NOTFOUND;
    }
    why = dup;
    return FERRY_CONFIG;
}

int DbTable::remove(std::string_view key, std::string &why) {
    if (int status = usable(why); status != FERRY_FOUND)
        return status;
    if (!writing()) {
        why = db_path_ + ": table was not opened for update";
        return FERRY_CONFIG;
    }
    std::string name = prepare_key(key);
    const unsigned conventions[2] = {FERRY_MAP_TRY1NULL, FERRY_MAP_TRY0NULL};
    for (unsigned convention : conventions) {
        if (!(flags_ & convention))
            continue;
        std::string stored = stored_form(name, convention == FERRY_MAP_TRY1NULL);
        DBT k = as_dbt(stored);
        int rc = db_->del(db_, nullptr, &k, 0);
        if (rc == 0) {
            flags_ &= ~(FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL);
            flags_ |= convention;
            return FERRY_FOUND;
        }
        if (rc != DB_NOTFOUND) {
            why = "error deleting from " + db_path_ + ": " + db_error_text(rc);
            return FERRY_TEMPFAIL;
        }
    }
    return FERRY_NOTFOUND;
}

int DbTable::sequence(int how, std::string &key, std::string &value,
                      std::string &why) {
    if (int status = usable(why); status != FERRY_FOUND)
        return status;
    u_int32_t step = DB_NEXT;
    if (how == FERRY_SEQ_FIRST) {
        step = DB_FIRST;
        if (cursor_ == nullptr) {
            if (int rc = db_->cursor(db_, nullptr, &cursor_, 0); rc != 0) {
                cursor_ = nullptr;
                why = "error seeking " + db_path_ + ": " + db_error_text(rc);
                return FERRY_TEMPFAIL;
            }
        }
    } else if (how != FERRY_SEQ_NEXT || cursor_ == nullptr) {
        why = db_path_ + ": sequence: NEXT without FIRST";
        return FERRY_CONFIG;
    }
    if (int status = read_lock(why); status != FERRY_FOUND)
        return status;
    DBT k{};
    DBT v{};
    int rc = cursor_->get(cursor_, &k, &v, step);
    read_unlock();
    if (rc == 0) {
        key = as_text(k);
        value = as_text(v);
        return FERRY_FOUND;
    }
    if (rc == DB_NOTFOUND)
        return FERRY_NOTFOUND;
    why = "error seeking " + db_path_ + ": " + db_error_text(rc);
    return FERRY_TEMPFAIL;
}

int DbTable::commit(std::string &why) {
    if (committed_)
        return FERRY_FOUND;
    if (int status = usable(why); status != FERRY_FOUND)
        return status;
    if (!writing())
        return FERRY_FOUND;
    if (cursor_ != nullptr) {
        cursor_->close(cursor_);
        cursor_ = nullptr;
    }
    if (int rc = db_->sync(db_, 0); rc != 0) {
        why = db_path_ + ": flush dictionary: " + db_error_text(rc);
        return FERRY_TEMPFAIL;
    }
    if (!creating())
        return FERRY_FOUND;

    // Finish the new file completely before it gets the table's name.
    int rc = db_->close(db_, 0);
    db_ = nullptr;
    db_fd_ = -1;
    if (rc != 0) {
        why = "close database " + tmp_path_ + ": " + db_error_text(rc);
        release();
        return FERRY_TEMPFAIL;
    }
    close_environment();
    if (::fsync(tmp_fd_) < 0) {
        why = "fsync " + tmp_path_ + ": " + errno_text(errno);
        release();
        return FERRY_TEMPFAIL;
    }
    // Wait for anyone holding the old table under Postfix's locking (a
    // postmap rewriting it, a reader mid-lookup).  Without permission to
    // open the old file we cannot lock it; the rename is atomic anyway.
    int old = open_locked(db_path_, O_RDONLY, LOCK_EX);
    if (::rename(tmp_path_.c_str(), db_path_.c_str()) < 0) {
        why = "rename " + tmp_path_ + " to " + db_path_ + ": " +
              errno_text(errno);
        if (old >= 0)
            ::close(old);
        release();
        return FERRY_TEMPFAIL;
    }
    committed_ = true;
    tmp_path_.clear();
    int synced = sync_dir(split_path(db_path_).dir);
    int sync_errno = errno;
    if (old >= 0)
        ::close(old);
    release();
    if (synced < 0) {
        why = "fsync directory of " + db_path_ + ": " + errno_text(sync_errno);
        return FERRY_TEMPFAIL;
    }
    return FERRY_FOUND;
}

} // namespace ferry::maps_hash
