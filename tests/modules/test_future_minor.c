/* test_future_minor.c - a module from a newer minor (claims ABI 1.7) whose
 * descriptor and ops carry fields appended after ABI 1.0's.  A 1.0 core
 * must load it and use only the fields it knows.  The appended fields point
 * at a function that aborts, so a host that called them would fail the
 * test loudly. */
#include <ferry/plugin.h>

#include <stdlib.h>
#include <string.h>

static void poison(void) { abort(); }

typedef struct future_ops {
    ferry_map_ops base;
    void (*lookup_batch)(void); /* appended in "1.7" */
} future_ops;

typedef struct future_module {
    ferry_module base;
    void (*reload)(void); /* appended in "1.7" */
    const char *homepage;
} future_module;

static int dummy;

static void *f_open(const char *type, const char *name, unsigned flags,
                    const ferry_host *host, char *err, size_t errlen) {
    (void)type, (void)name, (void)flags, (void)host, (void)err, (void)errlen;
    return &dummy;
}

static int f_lookup(void *h, const char *key, size_t keylen, ferry_sink *value,
                    char *err, size_t errlen) {
    (void)h, (void)err, (void)errlen;
    if (keylen == 6 && memcmp(key, "future", 6) == 0) {
        value->put(value->ctx, "yes", 3);
        return FERRY_FOUND;
    }
    return FERRY_NOTFOUND;
}

static void f_close(void *h) { (void)h; }

static const future_ops ops = {
    {sizeof(future_ops), f_open, f_lookup, NULL, NULL, NULL, NULL, f_close},
    poison,
};

static const ferry_map_type types[] = {{FERRY_MAP_TYPE_HEADER, "tfuture", 0, &ops.base}};

static const future_module module = {
    {FERRY_ABI_MAJOR, 7, sizeof(future_module), "test-future", "9.9",
     types, 1, NULL, 0, NULL, NULL},
    poison,
    "https://example.invalid/",
};

FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) { return &module.base; }
