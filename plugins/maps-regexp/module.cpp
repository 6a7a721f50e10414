// module.cpp - the maps-regexp module entry: regexp: and pcre: tables.
//
// Only this file knows the C ABI (ferry/plugin.h).  Tables are read-only:
// update, remove, sequence and commit are absent, so `ferry map` refuses to
// build them, as postmap does.  Keys are matched as given: FERRY_MAP_FOLD
// is ignored on purpose, because Postfix folds keys only for fixed-string
// tables; case-insensitivity of a pattern comes from its i flag.  A name
// starting with "{" is an inline table (Postfix 3.7), see inline_table.h.
#include <ferry/plugin.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <string>

#include "inline_table.h"
#include "pattern_table.h"

namespace {

using ferry::regexp::PatternTable;
using ferry::regexp::TableKind;

void set_error(char *err, size_t errlen, const std::string &text) {
    if (!err || errlen == 0)
        return;
    std::snprintf(err, errlen, "%s", text.c_str());
}

struct Handle {
    std::unique_ptr<PatternTable> table;
    std::string value;
};

void *map_open(const char *type, const char *name, unsigned flags,
               const ferry_host *host, char *err, size_t errlen) {
    try {
        std::string t = type ? type : "";
        TableKind kind;
        if (t == "regexp")
            kind = TableKind::regexp;
        else if (t == "pcre")
            kind = TableKind::pcre;
        else {
            set_error(err, errlen, "maps-regexp: unsupported table type \"" + t + "\"");
            return nullptr;
        }
        std::string mapname = name ? name : "";
        if (flags & (FERRY_MAP_WRITE | FERRY_MAP_CREATE)) {
            set_error(err, errlen, t + ":" + mapname + " map requires O_RDONLY access mode");
            return nullptr;
        }
        std::string text;
        if (!mapname.empty() && mapname[0] == '{') {
            std::string why;
            auto inline_text = ferry::regexp::inline_table_text(mapname, t, why);
            if (!inline_text) {
                set_error(err, errlen, why);
                return nullptr;
            }
            text = std::move(*inline_text);
        } else {
            std::ifstream in(mapname, std::ios::binary);
            if (!in) {
                set_error(err, errlen, "open " + mapname + ": " + std::strerror(errno));
                return nullptr;
            }
            std::ostringstream content;
            content << in.rdbuf();
            if (in.bad()) {
                set_error(err, errlen, "read " + mapname + ": " + std::strerror(errno));
                return nullptr;
            }
            text = content.str();
        }
        // Keep the log function and its context (valid until unload).
        void (*log)(void *, int, const char *) =
            host && host->size >= offsetof(ferry_host, log) + sizeof(host->log)
                ? host->log
                : nullptr;
        void *log_ctx = log ? host->ctx : nullptr;
        auto warn = [log, log_ctx](const std::string &msg) {
            if (log)
                log(log_ctx, FERRY_LOG_WARNING, msg.c_str());
            else
                std::fprintf(stderr, "warning: %s\n", msg.c_str());
        };
        auto handle = std::make_unique<Handle>();
        handle->table = std::make_unique<PatternTable>(kind, mapname, text, warn);
        return handle.release();
    } catch (const std::bad_alloc &) {
        set_error(err, errlen, "out of memory opening table");
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("cannot open table: ") + e.what());
    }
    return nullptr;
}

int map_lookup(void *h, const char *key, size_t keylen, ferry_sink *value,
               char *err, size_t errlen) {
    auto *handle = static_cast<Handle *>(h);
    try {
        if (!handle->table->lookup(std::string_view(key, keylen), handle->value))
            return FERRY_NOTFOUND;
        if (value && value->put)
            value->put(value->ctx, handle->value.data(), handle->value.size());
        return FERRY_FOUND;
    } catch (const std::bad_alloc &) {
        set_error(err, errlen, "out of memory during lookup");
    } catch (const std::exception &e) {
        set_error(err, errlen, std::string("lookup failed: ") + e.what());
    }
    return FERRY_TEMPFAIL;
}

void map_close(void *h) { delete static_cast<Handle *>(h); }

const ferry_map_ops ops = {
    sizeof(ferry_map_ops),
    map_open,
    map_lookup,
    nullptr, // update
    nullptr, // remove
    nullptr, // sequence
    nullptr, // commit
    map_close,
};

const ferry_map_type types[] = {
    {FERRY_MAP_TYPE_HEADER, "regexp", FERRY_MAP_PROP_PATTERN, &ops},
    {FERRY_MAP_TYPE_HEADER, "pcre", FERRY_MAP_PROP_PATTERN, &ops},
};

const ferry_module module = {
    FERRY_MODULE_HEADER,
    "maps-regexp",
    "0.1.0",
    types,
    2,
    nullptr,
    0,
    nullptr,
    nullptr,
};

} // namespace

extern "C" FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) {
    return &module;
}
