// db_table.cpp - a hash: or btree: table on Berkeley DB, spelled and locked
// the way Postfix's dict_db does so either program can read the other's files.
#include "db_table.h"

#include "table_files.h"
#include "table_keys.h"

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ferry::maps_hash {

namespace {

// Postfix's defaults for the two cache parameters (main.cf may override).
constexpr unsigned long read_cache_default = 128 * 1024;
constexpr unsigned long create_cache_default = 16 * 1024 * 1024;
// Postfix sizes new hash files for this many elements (DICT_DB_NELM); the
// same value gives the same bucket layout, so db_dump output matches.
constexpr u_int32_t hash_nelem = 4096;

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

} // namespace

DbTable::DbTable(std::string_view type, std::string_view name, unsigned flags,
                 const ferry_host *host)
    : type_(type), db_path_(std::string(name) + ".db"), flags_(flags),
      host_(host) {
    // As dict_db_open: a caller that names no convention accepts both.
    if ((flags_ & (FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL)) == 0)
        flags_ |= FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL;
    open_flags_ = flags_;
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
    (void)::fstat(db_fd_, &opened_);
    return FERRY_FOUND;
}

bool DbTable::rewritten_in_place() const {
    if (writing())
        return false;
    struct stat now {};
    if (::fstat(db_fd_, &now) != 0)
        return false;
    // A table renamed over ours leaves our file unlinked: keep reading the
    // whole old table we hold, as Postfix does until the daemon restarts.
    if (now.st_nlink == 0)
        return false;
    return now.st_size != opened_.st_size ||
           now.st_mtim.tv_sec != opened_.st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != opened_.st_mtim.tv_nsec;
}

int DbTable::reopen(std::string &why) {
    // postmap (or a Ferry writer) changed the file in place; pages cached
    // from before may no longer match it.  Postfix daemons restart on
    // this; a fresh handle on the same name gives the same answers.
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

int DbTable::get(const std::string &stored, std::string &value,
                 std::string &why) {
    DBT key = as_dbt(stored);
    DBT data{};
    int rc = db_->get(db_, nullptr, &key, &data, 0);
    if (rc == 0) {
        value = as_text(data);
        return FERRY_FOUND;
    }
    if (rc == DB_NOTFOUND)
        return FERRY_NOTFOUND;
    why = "error reading " + db_path_ + ": " + db_error_text(rc);
    return FERRY_TEMPFAIL;
}

int DbTable::lookup(std::string_view key, std::string &value,
                    std::string &why) {
    if (int status = usable(why); status != FERRY_FOUND)
        return status;
    std::string name = prepare_key(key);
    if (int status = read_lock(why); status != FERRY_FOUND)
        return status;
    if (rewritten_in_place()) {
        read_unlock();
        if (int status = reopen(why); status != FERRY_FOUND)
            return status;
        if (int status = read_lock(why); status != FERRY_FOUND)
            return status;
    }

    // Try the file's convention; once a key is found one way, the table is
    // known to be written that way and the other is never tried again.
    int status = FERRY_NOTFOUND;
    if (flags_ & FERRY_MAP_TRY1NULL) {
        status = get(stored_form(name, true), value, why);
        if (status == FERRY_FOUND)
            flags_ &= ~FERRY_MAP_TRY0NULL;
    }
    if (status == FERRY_NOTFOUND && (flags_ & FERRY_MAP_TRY0NULL)) {
        status = get(stored_form(name, false), value, why);
        if (status == FERRY_FOUND)
            flags_ &= ~FERRY_MAP_TRY1NULL;
    }
    read_unlock();
    return status;
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
