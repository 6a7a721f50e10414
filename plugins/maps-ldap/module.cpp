// module.cpp - the maps-ldap module's C face: the descriptor Ferry loads and
// the map operations of the ldap: type.
//
// ldap: tables are read-only (no update, remove, sequence: `ferry map`
// refuses to build them, as Postfix's postmap does) and their lookups may
// block on the network (FERRY_MAP_PROP_BLOCKING).  Every entry point
// catches every exception, so nothing C++ crosses the boundary; a failure
// becomes FERRY_TEMPFAIL with a reason, never FERRY_NOTFOUND.
#include "ldap_table.h"

#include <ferry/plugin.h>

#include <exception>
#include <string>
#include <string_view>

using ferry::maps_ldap::LdapTable;

namespace {

void *ldap_open_table(const char *type, const char *name, unsigned flags,
                      const ferry_host *host, char *err, size_t errlen) {
    try {
        if (type == nullptr || std::string_view(type) != "ldap") {
            ferry::db::set_error(err, errlen, std::string("maps-ldap: unsupported table type: ") +
                                                  (type ? type : "(null)"));
            return nullptr;
        }
        if (name == nullptr || *name == '\0') {
            ferry::db::set_error(err, errlen, "maps-ldap: open: no table name");
            return nullptr;
        }
        if (flags & (FERRY_MAP_WRITE | FERRY_MAP_CREATE)) {
            ferry::db::set_error(err, errlen, std::string("ldap:") + name +
                                                  " map requires O_RDONLY access mode");
            return nullptr;
        }
        std::string why;
        auto table = LdapTable::open(name, flags, host, why);
        if (!table) {
            ferry::db::set_error(err, errlen, why);
            return nullptr;
        }
        return table.release();
    } catch (const std::exception &e) {
        ferry::db::set_error(err, errlen, std::string("maps-ldap: internal error: ") + e.what());
    } catch (...) {
        ferry::db::set_error(err, errlen, "maps-ldap: internal error");
    }
    return nullptr;
}

int ldap_lookup(void *handle, const char *key, size_t keylen, ferry_sink *value, char *err,
                size_t errlen) {
    try {
        std::string result, why;
        int status = static_cast<LdapTable *>(handle)->lookup(std::string_view(key, keylen),
                                                              result, why);
        if (status == FERRY_FOUND && value != nullptr && value->put != nullptr)
            value->put(value->ctx, result.data(), result.size());
        if (status == FERRY_TEMPFAIL || status == FERRY_CONFIG)
            ferry::db::set_error(err, errlen, why);
        return status;
    } catch (const std::exception &e) {
        ferry::db::set_error(err, errlen, std::string("maps-ldap: internal error: ") + e.what());
    } catch (...) {
        ferry::db::set_error(err, errlen, "maps-ldap: internal error");
    }
    return FERRY_TEMPFAIL;
}

void ldap_close(void *handle) { delete static_cast<LdapTable *>(handle); }

const ferry_map_ops ldap_ops = {
    sizeof(ferry_map_ops),
    ldap_open_table,
    ldap_lookup,
    nullptr, // update
    nullptr, // remove
    nullptr, // sequence
    nullptr, // commit
    ldap_close,
};

const ferry_map_type ldap_types[] = {
    {FERRY_MAP_TYPE_HEADER, "ldap", FERRY_MAP_PROP_BLOCKING, &ldap_ops},
};

const ferry_module ldap_module = {
    FERRY_MODULE_HEADER,
    "maps-ldap",
    "1.0",
    ldap_types,
    1,
    nullptr,
    0,
    nullptr,
    nullptr,
};

} // namespace

extern "C" FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) {
    return &ldap_module;
}
