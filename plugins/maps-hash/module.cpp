// module.cpp - the maps-hash module's C face: the descriptor Ferry loads and
// the map operations for the hash and btree types.
//
// Each entry point converts between the C ABI and DbTable and catches every
// exception (out of memory is the only one expected), so nothing C++ crosses
// the boundary: a failure becomes FERRY_TEMPFAIL with a reason.
#include "db_table.h"
#include "table_keys.h"

#include <ferry/plugin.h>

#include <db.h>

#include <exception>
#include <new>
#include <string>
#include <string_view>

using ferry::maps_hash::DbTable;
using ferry::maps_hash::put_error;

namespace {

const char internal_error[] = "maps-hash: internal error: ";

DbTable *table_of(void *handle) { return static_cast<DbTable *>(handle); }

void emit(ferry_sink *sink, const std::string &bytes) {
    if (sink != nullptr && sink->put != nullptr)
        sink->put(sink->ctx, bytes.data(), bytes.size());
}

// Run one operation; a thrown exception becomes a temporary failure.
template <typename Op>
int guarded(char *err, size_t errlen, Op op) {
    try {
        std::string why;
        int status = op(why);
        if (status == FERRY_TEMPFAIL || status == FERRY_CONFIG)
            put_error(err, errlen, why);
        return status;
    } catch (const std::exception &e) {
        put_error(err, errlen, std::string(internal_error) + e.what());
    } catch (...) {
        put_error(err, errlen, "maps-hash: internal error");
    }
    return FERRY_TEMPFAIL;
}

void *hash_open(const char *type, const char *name, unsigned flags,
                const ferry_host *host, char *err, size_t errlen) {
    if (type == nullptr || name == nullptr || *name == '\0') {
        put_error(err, errlen, "maps-hash: open: no table name");
        return nullptr;
    }
    if (std::string_view(type) != "hash" && std::string_view(type) != "btree") {
        put_error(err, errlen,
                  std::string("maps-hash: unsupported table type: ") + type);
        return nullptr;
    }
    try {
        auto *table = new DbTable(type, name, flags, host);
        std::string why;
        if (table->open(why) != FERRY_FOUND) {
            put_error(err, errlen, why);
            delete table;
            return nullptr;
        }
        return table;
    } catch (const std::exception &e) {
        put_error(err, errlen, std::string(internal_error) + e.what());
    } catch (...) {
        put_error(err, errlen, "maps-hash: internal error");
    }
    return nullptr;
}

int hash_lookup(void *handle, const char *key, size_t keylen,
                ferry_sink *value, char *err, size_t errlen) {
    return guarded(err, errlen, [&](std::string &why) {
        return table_of(handle)->lookup(ferry::maps_hash::c_string(key, keylen),
                                        value, why);
    });
}

int hash_update(void *handle, const char *key, size_t keylen,
                const char *value, size_t valuelen, char *err, size_t errlen) {
    return guarded(err, errlen, [&](std::string &why) {
        return table_of(handle)->update(
            ferry::maps_hash::c_string(key, keylen),
            ferry::maps_hash::c_string(value, valuelen), why);
    });
}

int hash_remove(void *handle, const char *key, size_t keylen, char *err,
                size_t errlen) {
    return guarded(err, errlen, [&](std::string &why) {
        return table_of(handle)->remove(
            ferry::maps_hash::c_string(key, keylen), why);
    });
}

int hash_sequence(void *handle, int how, ferry_sink *key, ferry_sink *value,
                  char *err, size_t errlen) {
    return guarded(err, errlen, [&](std::string &why) {
        std::string k, v;
        int status = table_of(handle)->sequence(how, k, v, why);
        if (status == FERRY_FOUND) {
            emit(key, k);
            emit(value, v);
        }
        return status;
    });
}

int hash_commit(void *handle, char *err, size_t errlen) {
    return guarded(err, errlen,
                   [&](std::string &why) { return table_of(handle)->commit(why); });
}

void hash_close(void *handle) {
    try {
        delete table_of(handle);
    } catch (...) {
        // A destructor that throws has nowhere to report; never unwind
        // into the host.
    }
}

int module_init(const ferry_host *, char *err, size_t errlen) {
    // Postfix refuses a libdb whose version differs from the headers it was
    // built with: file formats and structure layouts may not match.
    int major = 0, minor = 0, patch = 0;
    ::db_version(&major, &minor, &patch);
    if (major != DB_VERSION_MAJOR || minor != DB_VERSION_MINOR) {
        put_error(err, errlen,
                  "incorrect version of Berkeley DB: compiled against " +
                      std::to_string(DB_VERSION_MAJOR) + "." +
                      std::to_string(DB_VERSION_MINOR) + "." +
                      std::to_string(DB_VERSION_PATCH) +
                      ", run-time linked against " + std::to_string(major) +
                      "." + std::to_string(minor) + "." + std::to_string(patch));
        return -1;
    }
    return 0;
}

const ferry_map_ops hash_ops = {
    sizeof(ferry_map_ops), hash_open,     hash_lookup, hash_update,
    hash_remove,           hash_sequence, hash_commit, hash_close,
};

const unsigned hash_props = FERRY_MAP_PROP_WRITABLE | FERRY_MAP_PROP_SEQUENCE;

const ferry_map_type map_types[] = {
    {FERRY_MAP_TYPE_HEADER, "hash", hash_props, &hash_ops},
    {FERRY_MAP_TYPE_HEADER, "btree", hash_props, &hash_ops},
};

const ferry_module descriptor = {
    FERRY_MODULE_HEADER,
    "maps-hash",
    "0.1.0",
    map_types,
    sizeof map_types / sizeof map_types[0],
    nullptr,
    0,
    module_init,
    nullptr,
};

} // namespace

extern "C" FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) {
    return &descriptor;
}
