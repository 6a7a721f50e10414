/* test_short_ops.c - a module whose map ops declare a size that covers only
 * size, open and lookup, as a module from a time when ops ended there
 * would.  The bytes after lookup are poison (functions that abort), so a
 * host that read an ops field beyond the declared size would crash the
 * test instead of reporting "not supported". */
#include <ferry/plugin.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static void poison(void) { abort(); }

typedef struct short_ops {
    uint32_t size;
    void *(*open)(const char *, const char *, unsigned, const ferry_host *,
                  char *, size_t);
    int (*lookup)(void *, const char *, size_t, ferry_sink *, char *, size_t);
    void (*garbage[5])(void);
} short_ops;

static int dummy;

static void *s_open(const char *type, const char *name, unsigned flags,
                    const ferry_host *host, char *err, size_t errlen) {
    (void)type, (void)name, (void)flags, (void)host, (void)err, (void)errlen;
    return &dummy;
}

static int s_lookup(void *h, const char *key, size_t keylen, ferry_sink *value,
                    char *err, size_t errlen) {
    (void)h, (void)key, (void)keylen, (void)err, (void)errlen;
    value->put(value->ctx, "short", 5);
    return FERRY_FOUND;
}

static const short_ops ops = {
    (uint32_t)offsetof(ferry_map_ops, update), s_open, s_lookup,
    {poison, poison, poison, poison, poison},
};

static const ferry_map_type types[] = {
    {FERRY_MAP_TYPE_HEADER, "tshort", FERRY_MAP_PROP_WRITABLE, (const ferry_map_ops *)(const void *)&ops},
};

static const ferry_module module = {
    FERRY_MODULE_HEADER, "test-short-ops", "1", types, 1, NULL, 0, NULL, NULL,
};

FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) { return &module; }
