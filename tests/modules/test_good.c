/* test_good.c - a well-behaved ABI 1.0 test module, written in C against
 * the public header only.  Map type "tgood" answers:
 *   "hit"         -> FOUND "value-of-hit"
 *   "tempfail"    -> TEMPFAIL "backend down"
 *   "config"      -> CONFIG "bad setting"
 *   "bad-status"  -> 42 (not a ferry_status)
 *   "param:NAME"  -> FOUND with host->param(NAME), NOTFOUND if unknown
 *   "via:KEY"     -> host->lookup(table name, KEY): a table that looks in
 *                    the table named by its own name (so "tgood:tgood:x"
 *                    recurses into itself)
 *   "log"         -> logs a warning through the host, NOTFOUND
 *   "loop"        -> looks "loop" up in the table named by the parameter
 *                    loop_table: pointed at a tgood table, it never ends
 *                    unless the host stops it
 * plus whatever update() stored; sequence() walks the stored entries.
 * Opening name "fail-open" fails with a reason.  It also lists a transport
 * "tpipe" so the registry and descriptor paths for transports are used. */
#include <ferry/plugin.h>

#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 16

typedef struct table {
    const ferry_host *host;
    char name[256];
    char keys[MAX_ENTRIES][64];
    char values[MAX_ENTRIES][64];
    int count;
    int cursor;
} table;

static int init_calls;

static void set_err(char *err, size_t errlen, const char *text) {
    if (errlen == 0) return;
    strncpy(err, text, errlen - 1);
    err[errlen - 1] = '\0';
}

static void put(ferry_sink *s, const char *text) { s->put(s->ctx, text, strlen(text)); }

typedef struct buffer {
    char text[256];
    size_t len;
} buffer;

static void buffer_put(void *ctx, const char *data, size_t len) {
    buffer *b = ctx;
    if (b->len + len >= sizeof b->text) return;
    memcpy(b->text + b->len, data, len);
    b->len += len;
    b->text[b->len] = '\0';
}

static void *t_open(const char *type, const char *name, unsigned flags,
                    const ferry_host *host, char *err, size_t errlen) {
    (void)type;
    (void)flags;
    if (strcmp(name, "fail-open") == 0) {
        set_err(err, errlen, "cannot open fail-open: no such table");
        return NULL;
    }
    table *t = calloc(1, sizeof *t);
    t->host = host;
    strncpy(t->name, name, sizeof t->name - 1);
    return t;
}

static int find(table *t, const char *key, size_t keylen) {
    for (int i = 0; i < t->count; i++)
        if (strlen(t->keys[i]) == keylen && memcmp(t->keys[i], key, keylen) == 0) return i;
    return -1;
}

static int t_lookup(void *h, const char *key, size_t keylen, ferry_sink *value,
                    char *err, size_t errlen) {
    table *t = h;
    char k[256];
    if (keylen >= sizeof k) return FERRY_NOTFOUND;
    memcpy(k, key, keylen);
    k[keylen] = '\0';
    if (strcmp(k, "hit") == 0) {
        put(value, "value-");
        put(value, "of-hit"); /* two puts: the host concatenates */
        return FERRY_FOUND;
    }
    if (strcmp(k, "tempfail") == 0) {
        set_err(err, errlen, "backend down");
        return FERRY_TEMPFAIL;
    }
    if (strcmp(k, "config") == 0) {
        set_err(err, errlen, "bad setting");
        return FERRY_CONFIG;
    }
    if (strcmp(k, "bad-status") == 0) return 42;
    if (strncmp(k, "param:", 6) == 0)
        return t->host->param(t->host->ctx, k + 6, value) ? FERRY_FOUND : FERRY_NOTFOUND;
    if (strncmp(k, "via:", 4) == 0)
        return t->host->lookup(t->host->ctx, t->name, k + 4, strlen(k + 4), value, err, errlen);
    if (strcmp(k, "loop") == 0) {
        buffer table_name = {"", 0};
        ferry_sink sink = {&table_name, buffer_put};
        if (!t->host->param(t->host->ctx, "loop_table", &sink)) return FERRY_NOTFOUND;
        return t->host->lookup(t->host->ctx, table_name.text, "loop", 4, value, err, errlen);
    }
    if (strcmp(k, "log") == 0) {
        t->host->log(t->host->ctx, FERRY_LOG_WARNING, "hello from tgood");
        return FERRY_NOTFOUND;
    }
    int i = find(t, key, keylen);
    if (i < 0) return FERRY_NOTFOUND;
    put(value, t->values[i]);
    return FERRY_FOUND;
}

static int t_update(void *h, const char *key, size_t keylen, const char *value,
                    size_t valuelen, char *err, size_t errlen) {
    table *t = h;
    if (keylen >= 64 || valuelen >= 64 || t->count == MAX_ENTRIES) {
        set_err(err, errlen, "entry too large");
        return FERRY_TEMPFAIL;
    }
    int i = find(t, key, keylen);
    if (i < 0) i = t->count++;
    memcpy(t->keys[i], key, keylen);
    t->keys[i][keylen] = '\0';
    memcpy(t->values[i], value, valuelen);
    t->values[i][valuelen] = '\0';
    return FERRY_FOUND;
}

static int t_remove(void *h, const char *key, size_t keylen, char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    table *t = h;
    int i = find(t, key, keylen);
    if (i < 0) return FERRY_NOTFOUND;
    t->count--;
    memmove(t->keys[i], t->keys[i + 1], (size_t)(t->count - i) * 64);
    memmove(t->values[i], t->values[i + 1], (size_t)(t->count - i) * 64);
    return FERRY_FOUND;
}

static int t_sequence(void *h, int how, ferry_sink *key, ferry_sink *value,
                      char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    table *t = h;
    if (how == FERRY_SEQ_FIRST) t->cursor = 0;
    if (t->cursor >= t->count) return FERRY_NOTFOUND;
    put(key, t->keys[t->cursor]);
    put(value, t->values[t->cursor]);
    t->cursor++;
    return FERRY_FOUND;
}

static int t_commit(void *h, char *err, size_t errlen) {
    table *t = h;
    if (strcmp(t->name, "no-commit") == 0) {
        set_err(err, errlen, "disk full");
        return FERRY_TEMPFAIL;
    }
    return FERRY_FOUND;
}

static void t_close(void *h) { free(h); }

static const ferry_map_ops ops = {
    sizeof(ferry_map_ops), t_open, t_lookup, t_update, t_remove,
    t_sequence, t_commit, t_close,
};

static const ferry_map_type types[] = {
    {FERRY_MAP_TYPE_HEADER, "tgood", FERRY_MAP_PROP_WRITABLE | FERRY_MAP_PROP_SEQUENCE, &ops},
};

static const ferry_transport_type transports[] = {{FERRY_TRANSPORT_TYPE_HEADER, "tpipe", 0, NULL}};

static int t_init(const ferry_host *host, char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    init_calls++;
    /* A module may read host fields its own header knows of only when the
     * host's size covers them. */
    if (host->size < sizeof(ferry_host)) return -1;
    host->log(host->ctx, FERRY_LOG_INFO, "test-good initialised");
    return 0;
}

static const ferry_module module = {
    FERRY_MODULE_HEADER, "test-good", "1.0-test",
    types, 1, transports, 1, t_init, NULL,
};

FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) { return &module; }
