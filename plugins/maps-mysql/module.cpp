// module.cpp - the maps-mysql module's C face: the descriptor Ferry loads
// and the map operations of the mysql type.
//
// mysql: tables are read-only (their data lives in the database): no
// update, remove or sequence, so `ferry map` refuses to build or change
// them.  Lookups may block on the network (FERRY_MAP_PROP_BLOCKING).
// Every entry point catches every exception; nothing C++ crosses the ABI.
#include "mysql_config.h"
#include "mysql_table.h"

#include <ferry/plugin.h>

#include <mysql.h>

#include <exception>
#include <mutex>
#include <string>

namespace {

using ferry::db::set_error;
using ferry::mysql::MysqlTable;

void log_to(const ferry_host *host, int level, const std::string &text) {
    if (host && host->log) host->log(host->ctx, level, text.c_str());
}

int mysql_module_init(const ferry_host *, char *err, size_t errlen) {
    // mysql_library_init is not thread-safe; call it once, before any
    // table is opened.
    if (mysql_library_init(0, nullptr, nullptr) != 0) {
        set_error(err, errlen, "maps-mysql: cannot initialise the MySQL client library");
        return -1;
    }
    return 0;
}

void mysql_module_fini() { mysql_library_end(); }

void *mysql_open(const char *type, const char *name, unsigned flags, const ferry_host *host,
                 char *err, size_t errlen) {
    try {
        std::string table = std::string(type ? type : "mysql") + ":" + (name ? name : "");
        if (!name || !*name) {
            set_error(err, errlen, table + ": no configuration file name");
            return nullptr;
        }
        if (flags & (FERRY_MAP_WRITE | FERRY_MAP_CREATE)) {
            set_error(err, errlen,
                      table + ": mysql tables are read-only: change the data in the "
                              "database, not with postmap");
            return nullptr;
        }
        std::string why;
        std::vector<std::string> warnings;
        auto config = ferry::mysql::load_config(name, host, why, warnings);
        for (const auto &w : warnings) log_to(host, FERRY_LOG_WARNING, w);
        if (!config) {
            // The host reports a failed open (naming the table); no second
            // log line here.
            set_error(err, errlen, why);
            return nullptr;
        }
        return new MysqlTable(std::move(*config), flags, host);
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("maps-mysql: open: internal error: ") + e.what());
    } catch (...) {
        set_error(err, errlen, "maps-mysql: open: internal error");
    }
    return nullptr;
}

int mysql_lookup(void *handle, const char *key, size_t keylen, ferry_sink *value, char *err,
                 size_t errlen) {
    try {
        std::string v, why;
        int st = static_cast<MysqlTable *>(handle)->lookup(std::string_view(key, keylen), v, why);
        if (st == FERRY_FOUND && value && value->put) value->put(value->ctx, v.data(), v.size());
        if (st == FERRY_TEMPFAIL || st == FERRY_CONFIG) set_error(err, errlen, why);
        return st;
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("maps-mysql: lookup: internal error: ") + e.what());
    } catch (...) {
        set_error(err, errlen, "maps-mysql: lookup: internal error");
    }
    return FERRY_TEMPFAIL;
}

void mysql_close_table(void *handle) {
    try {
        delete static_cast<MysqlTable *>(handle);
    } catch (...) {
    }
}

const ferry_map_ops mysql_ops = {
    sizeof(ferry_map_ops), mysql_open, mysql_lookup, nullptr, nullptr, nullptr, nullptr,
    mysql_close_table,
};

const ferry_map_type mysql_types[] = {
    {FERRY_MAP_TYPE_HEADER, "mysql", FERRY_MAP_PROP_BLOCKING, &mysql_ops},
};

const ferry_module mysql_module = {
    FERRY_MODULE_HEADER, "maps-mysql", "1.0", mysql_types, 1, nullptr, 0,
    mysql_module_init, mysql_module_fini,
};

} // namespace

extern "C" FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) {
    return &mysql_module;
}
