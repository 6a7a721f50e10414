/*
 * upper.c - an example out-of-tree Ferry module, built against the installed
 * SDK alone (ferry/plugin.h and ferry-module.pc):
 *
 *     cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags ferry-module) \
 *        -o maps-upper.so upper.c
 *
 * It provides the table type "upper": a lookup answers the key in upper case,
 * except that the empty key is not found and the key "tempfail" reports a
 * temporary failure, so it shows all three answers of the map contract.
 * Install it with a registry snippet "map upper maps-upper.so".
 */
#include <ferry/plugin.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct upper_table {
    char name[256];
};

static void *upper_open(const char *type, const char *name, unsigned flags,
                        const ferry_host *host, char *err, size_t errlen) {
    struct upper_table *t;
    (void)flags;
    (void)host;
    if (flags & (FERRY_MAP_WRITE | FERRY_MAP_CREATE)) {
        snprintf(err, errlen, "%s:%s: this table type is read-only", type, name);
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(err, errlen, "%s:%s: out of memory", type, name);
        return NULL;
    }
    snprintf(t->name, sizeof(t->name), "%s", name);
    return t;
}

static int upper_lookup(void *handle, const char *key, size_t keylen, ferry_sink *value,
                        char *err, size_t errlen) {
    struct upper_table *t = handle;
    char buf[256];
    size_t i;
    if (keylen == 0) return FERRY_NOTFOUND;
    if (keylen == 8 && memcmp(key, "tempfail", 8) == 0) {
        snprintf(err, errlen, "upper:%s: asked to fail", t->name);
        return FERRY_TEMPFAIL;
    }
    while (keylen > 0) {
        size_t n = keylen < sizeof(buf) ? keylen : sizeof(buf);
        for (i = 0; i < n; i++) buf[i] = (char)toupper((unsigned char)key[i]);
        value->put(value->ctx, buf, n);
        key += n;
        keylen -= n;
    }
    return FERRY_FOUND;
}

static void upper_close(void *handle) { free(handle); }

static const ferry_map_ops upper_ops = {
    sizeof(ferry_map_ops), upper_open, upper_lookup, NULL, NULL, NULL, NULL, upper_close,
};

static const ferry_map_type upper_types[] = {
    {FERRY_MAP_TYPE_HEADER, "upper", 0, &upper_ops},
};

static const ferry_module upper_module = {
    FERRY_MODULE_HEADER,
    "maps-upper",
    "1.0",
    upper_types,
    1,
    NULL,
    0,
    NULL,
    NULL,
};

FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) { return &upper_module; }
