/* test_slow.c - a blocking map type for the lookup pool tests, written in C
 * against the public header only.  Map type "tslow" declares
 * FERRY_MAP_PROP_BLOCKING and answers every key after sleeping, like a
 * database across a network:
 *   "down"   -> TEMPFAIL "server down"
 *   "stats"  -> FOUND "inflight=<most lookups seen at once> handles=<opened>"
 *   anything else -> FOUND "<key>@<handle number>"
 * The table name is the delay in milliseconds.  Opening "fail-open" fails.
 * A handle used by two threads at once (which plugin.h forbids the host to
 * do) answers TEMPFAIL "handle used by two threads at once", so a test sees
 * the host's mistake in the answers. */
#include <ferry/plugin.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct table {
    long delay_ms;
    int number;
    atomic_int busy;
} table;

static atomic_int opened;
static atomic_int inflight;
static atomic_int most_inflight;

static void set_err(char *err, size_t errlen, const char *text) {
    if (errlen == 0) return;
    strncpy(err, text, errlen - 1);
    err[errlen - 1] = '\0';
}

static void put(ferry_sink *s, const char *text) { s->put(s->ctx, text, strlen(text)); }

static void *s_open(const char *type, const char *name, unsigned flags,
                    const ferry_host *host, char *err, size_t errlen) {
    (void)type;
    (void)flags;
    (void)host;
    if (strcmp(name, "fail-open") == 0) {
        set_err(err, errlen, "cannot connect: no route to host");
        return NULL;
    }
    table *t = calloc(1, sizeof *t);
    t->delay_ms = atol(name);
    t->number = atomic_fetch_add(&opened, 1) + 1;
    return t;
}

static int s_lookup(void *h, const char *key, size_t keylen, ferry_sink *value,
                    char *err, size_t errlen) {
    table *t = h;
    if (atomic_exchange(&t->busy, 1)) {
        set_err(err, errlen, "handle used by two threads at once");
        return FERRY_TEMPFAIL;
    }
    int now = atomic_fetch_add(&inflight, 1) + 1;
    int seen = atomic_load(&most_inflight);
    while (now > seen && !atomic_compare_exchange_weak(&most_inflight, &seen, now)) {
    }
    struct timespec ts = {t->delay_ms / 1000, (t->delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    int status = FERRY_FOUND;
    char text[300];
    if (keylen == 4 && memcmp(key, "down", 4) == 0) {
        set_err(err, errlen, "server down");
        status = FERRY_TEMPFAIL;
    } else if (keylen == 5 && memcmp(key, "stats", 5) == 0) {
        snprintf(text, sizeof text, "inflight=%d handles=%d", atomic_load(&most_inflight),
                 atomic_load(&opened));
        put(value, text);
    } else {
        snprintf(text, sizeof text, "%.*s@%d", (int)(keylen < 200 ? keylen : 200), key,
                 t->number);
        put(value, text);
    }
    atomic_fetch_sub(&inflight, 1);
    atomic_store(&t->busy, 0);
    return status;
}

static void s_close(void *h) { free(h); }

static const ferry_map_ops ops = {
    sizeof(ferry_map_ops), s_open, s_lookup, NULL, NULL, NULL, NULL, s_close,
};

static const ferry_map_type types[] = {
    {FERRY_MAP_TYPE_HEADER, "tslow", FERRY_MAP_PROP_BLOCKING, &ops},
};

static const ferry_module module = {
    FERRY_MODULE_HEADER, "test-slow", "1.0-test", types, 1, NULL, 0, NULL, NULL,
};

FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) { return &module; }
