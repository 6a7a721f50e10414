/*
 * ferry/plugin.h - the stable C ABI between the Ferry core and its modules.
 *
 * A module is a shared object that exports one C symbol, FERRY_MODULE_ENTRY
 * ("ferry_module_entry"), a function returning a pointer to a static
 * ferry_module descriptor.  The descriptor names the lookup-table ("map")
 * types and the transports the module provides, each with a table of
 * function pointers.
 *
 * Promises (see docs/module-abi.md):
 *  - Only C types cross this boundary.  No exceptions, no C++ library types.
 *  - Every struct that may grow starts with its own size.  New fields are only
 *    ever appended; the host reads a field only when the size the module
 *    declared covers it, and a module reads a host field only when the host's
 *    size covers it.
 *  - A module built against ABI 1.x loads in every core of ABI 1.y, y >= x.
 *    A module of another major is refused with a message naming both
 *    versions and the file.
 *  - Ownership: whoever allocates frees.  Values a module returns are copied
 *    into host storage through a ferry_sink; strings the host passes in are
 *    valid only for the duration of the call.  Error text goes into a
 *    caller-supplied buffer (err, errlen), always NUL-terminated.
 */
#ifndef FERRY_PLUGIN_H
#define FERRY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FERRY_ABI_MAJOR 1
#define FERRY_ABI_MINOR 0

/* The one symbol every module exports. */
#define FERRY_MODULE_ENTRY "ferry_module_entry"

#if defined(__GNUC__)
#define FERRY_MODULE_EXPORT __attribute__((visibility("default")))
#else
#define FERRY_MODULE_EXPORT
#endif

/* ------------------------------------------------------------------ */
/* Results shared by maps and transports.                             */

/* The three answers of a lookup, never two.  A temporary failure (database
 * down, timeout, broken table) must never be reported as NOTFOUND. */
enum ferry_status {
    FERRY_FOUND = 0,    /* a value was produced */
    FERRY_NOTFOUND = 1, /* the table answered: no such key */
    FERRY_TEMPFAIL = 2, /* the table could not answer; try again later */
    FERRY_CONFIG = 3    /* the table is misconfigured; the host treats this
                           like TEMPFAIL for mail (defer, never bounce) */
};

/* Host-owned output: a module hands bytes to the host by calling put(); the
 * host copies them.  A value may be produced by several put() calls, which
 * are concatenated. */
typedef struct ferry_sink {
    void *ctx;
    void (*put)(void *ctx, const char *data, size_t len);
} ferry_sink;

/* Log levels, as Postfix's msg_info / msg_warn / msg_error / msg_fatal. */
enum ferry_log_level {
    FERRY_LOG_INFO = 0,
    FERRY_LOG_WARNING = 1,
    FERRY_LOG_ERROR = 2,
    FERRY_LOG_FATAL = 3 /* logged; the module must then return an error,
                           the host decides whether to exit */
};

/* ------------------------------------------------------------------ */
/* What the host offers a module.  Passed to init() and to every open(); the
 * struct stays valid until the module is unloaded, so a module may keep the
 * pointer. */

typedef struct ferry_host {
    uint32_t size; /* sizeof(ferry_host) as the host was built */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Passed back as the first argument of every callback below.  It
     * identifies the calling module, so callbacks work from any thread,
     * including threads the module started itself. */
    void *ctx;

    /* Write one log line; the host adds program name, pid and level.  The
     * message should name the table or file it concerns, as Postfix's do. */
    void (*log)(void *ctx, int level, const char *message);

    /* The value of a main.cf parameter after $name expansion.  Returns 1 and
     * writes the value to out when the parameter is known, 0 when not. */
    int (*param)(void *ctx, const char *name, ferry_sink *out);

    /* Look a key up in a table named as in main.cf ("hash:/etc/x").
     * Returns a ferry_status; on FERRY_FOUND the value went to out. */
    int (*lookup)(void *ctx, const char *table, const char *key, size_t keylen,
                  ferry_sink *out, char *err, size_t errlen);
} ferry_host;

/* ------------------------------------------------------------------ */
/* Lookup tables ("maps").                                             */

/* Flags the host passes to open(). */
#define FERRY_MAP_READ      0x0001u /* open for lookups */
#define FERRY_MAP_WRITE     0x0002u /* update / delete allowed */
#define FERRY_MAP_CREATE    0x0004u /* build a new table: write a temporary
                                       file, make it visible only at commit */
#define FERRY_MAP_FOLD      0x0008u /* fold keys to lower case (postmap's
                                       default; off with -f) */
#define FERRY_MAP_TRY0NULL  0x0010u /* keys may be stored without a NUL */
#define FERRY_MAP_TRY1NULL  0x0020u /* keys may be stored with a NUL */
#define FERRY_MAP_DUP_IGNORE 0x0040u /* on update, keep the first value */
#define FERRY_MAP_DUP_REPLACE 0x0080u /* on update, keep the last value */
#define FERRY_MAP_DUP_WARN  0x0100u /* on duplicate, log a warning */

/* Properties a map type declares in its ferry_map_type. */
#define FERRY_MAP_PROP_BLOCKING 0x0001u /* lookups may block (network):
                                           never called on an event loop */
#define FERRY_MAP_PROP_PATTERN  0x0002u /* keys are matched as patterns;
                                           callers pass whole strings and
                                           skip partial-key search orders */
#define FERRY_MAP_PROP_WRITABLE 0x0004u /* supports CREATE/update: can be
                                           built by `ferry map` */
#define FERRY_MAP_PROP_SEQUENCE 0x0008u /* supports sequence() */

enum ferry_seq {
    FERRY_SEQ_FIRST = 0,
    FERRY_SEQ_NEXT = 1
};

typedef struct ferry_map_ops {
    uint32_t size; /* sizeof(ferry_map_ops) as the module was built */

    /* Open table `name` (the part after "type:") of `type`.  Returns an
     * opaque handle, or NULL with a reason in err. */
    void *(*open)(const char *type, const char *name, unsigned flags,
                  const ferry_host *host, char *err, size_t errlen);

    /* Look up key.  Returns a ferry_status; on FERRY_FOUND the value went
     * to value; on TEMPFAIL/CONFIG the reason is in err.  May be called
     * concurrently on different handles, never on the same handle. */
    int (*lookup)(void *handle, const char *key, size_t keylen,
                  ferry_sink *value, char *err, size_t errlen);

    /* Optional (NULL when not supported).  Each returns a ferry_status.
     *
     * update: FERRY_FOUND when the value was stored; FERRY_NOTFOUND when the
     * key already existed and its first value was kept (DUP_IGNORE or
     * DUP_WARN, after logging the warning); FERRY_CONFIG for a duplicate
     * without a DUP_* flag or a table not open for writing; FERRY_TEMPFAIL
     * for an I/O error.  Errors carry a reason in err. */
    int (*update)(void *handle, const char *key, size_t keylen,
                  const char *value, size_t valuelen, char *err,
                  size_t errlen);
    /* remove: FERRY_FOUND when deleted, FERRY_NOTFOUND if absent. */
    int (*remove)(void *handle, const char *key, size_t keylen, char *err,
                  size_t errlen);
    /* sequence: FERRY_FOUND with key and value written, FERRY_NOTFOUND at
     * the end. */
    int (*sequence)(void *handle, int how, ferry_sink *key, ferry_sink *value,
                    char *err, size_t errlen);
    /* commit: make a table opened with CREATE or WRITE durable and visible
     * (for CREATE: rename the temporary file over the table).  FERRY_FOUND
     * on success. */
    int (*commit)(void *handle, char *err, size_t errlen);

    /* Release the handle.  A CREATE table not committed is discarded. */
    void (*close)(void *handle);
} ferry_map_ops;

/* The entries of a descriptor's map_types (and transports) array all have
 * the same size, given by their first field; the host steps through the
 * array by that size, so entries can grow by appending fields. */
typedef struct ferry_map_type {
    uint32_t size;           /* sizeof(ferry_map_type) as the module was built */
    const char *type;        /* "hash", "btree", "regexp", ... */
    unsigned props;          /* FERRY_MAP_PROP_* */
    const ferry_map_ops *ops;
} ferry_map_type;

/* ------------------------------------------------------------------ */
/* Transports (delivery agents).                                       */

/* DSN NOTIFY bits, as RFC 3461. */
#define FERRY_DSN_NOTIFY_NEVER   0x01u
#define FERRY_DSN_NOTIFY_SUCCESS 0x02u
#define FERRY_DSN_NOTIFY_FAILURE 0x04u
#define FERRY_DSN_NOTIFY_DELAY   0x08u

typedef struct ferry_recipient {
    const char *address;      /* the address to deliver to */
    const char *orig_address; /* before rewriting, for X-Original-To */
    const char *dsn_orcpt;    /* RFC 3461 ORCPT, or NULL */
    unsigned dsn_notify;      /* FERRY_DSN_NOTIFY_*, 0 when unspecified */
} ferry_recipient;

/* Per-recipient outcome of a delivery. */
enum ferry_delivery_status {
    FERRY_DELIVERED = 0, /* 2.x.x */
    FERRY_DEFERRED = 1,  /* 4.x.x: try again later */
    FERRY_BOUNCED = 2    /* 5.x.x: return to sender */
};

typedef struct ferry_delivery {
    uint32_t size; /* sizeof(ferry_delivery) as the host was built */
    const char *queue_id;
    const char *sender;  /* envelope sender, "" for the null sender */
    const char *nexthop; /* transport nexthop (after the colon) */
    const ferry_recipient *recipients;
    size_t recipient_count;
    int message_fd;        /* readable, positioned at the first header */
    uint64_t message_size; /* bytes of content readable from message_fd */
    const char *client_name;
    const char *client_addr;
    const char *client_helo;
    const char *client_protocol;
    const char *dsn_envid;
    int dsn_ret; /* 0 unspecified, 1 FULL, 2 HDRS */

    /* Report the outcome for recipients[index]: status is a
     * ferry_delivery_status, dsn an enhanced status code ("5.1.1"), text a
     * human-readable reason.  Recipients never reported are deferred by the
     * host with a generic reason. */
    void *report_ctx;
    void (*report)(void *report_ctx, size_t index, int status,
                   const char *dsn, const char *text);
} ferry_delivery;

typedef struct ferry_transport_ops {
    uint32_t size; /* sizeof(ferry_transport_ops) as the module was built */

    /* Open transport `name` (the master.cf service name) with the command
     * arguments from master.cf (argv[0] is the program name). */
    void *(*open)(const char *name, int argc, const char *const *argv,
                  const ferry_host *host, char *err, size_t errlen);

    /* Deliver one request.  Returns 0 when every recipient was reported,
     * -1 with a reason in err for a failure affecting all recipients
     * (the host defers them). */
    int (*deliver)(void *handle, const ferry_delivery *request, char *err,
                   size_t errlen);

    void (*close)(void *handle);
} ferry_transport_ops;

typedef struct ferry_transport_type {
    uint32_t size;    /* sizeof(ferry_transport_type) as the module was built */
    const char *name; /* "pipe", "uucp", "fax", "maildir", ... */
    unsigned props;   /* reserved, 0 */
    const ferry_transport_ops *ops;
} ferry_transport_type;

/* ------------------------------------------------------------------ */
/* The module descriptor.                                              */

typedef struct ferry_module {
    uint16_t abi_major; /* FERRY_ABI_MAJOR the module was built against */
    uint16_t abi_minor; /* FERRY_ABI_MINOR the module was built against */
    uint32_t size;      /* sizeof(ferry_module) as the module was built */
    const char *name;    /* "maps-hash" */
    const char *version; /* the module's own version, free form */

    const ferry_map_type *map_types;
    uint32_t map_type_count;
    const ferry_transport_type *transports;
    uint32_t transport_count;

    /* Optional: called once after loading, before any open(); returns 0 or
     * -1 with a reason in err (the module is then not used). */
    int (*init)(const ferry_host *host, char *err, size_t errlen);
    /* Optional: called once before unloading. */
    void (*fini)(void);
} ferry_module;

/* Start a descriptor / a type entry with its version and size fields. */
#define FERRY_MAP_TYPE_HEADER (uint32_t)sizeof(ferry_map_type)
#define FERRY_TRANSPORT_TYPE_HEADER (uint32_t)sizeof(ferry_transport_type)
#define FERRY_MODULE_HEADER                                                   \
    FERRY_ABI_MAJOR, FERRY_ABI_MINOR, (uint32_t)sizeof(ferry_module)

typedef const ferry_module *(*ferry_module_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FERRY_PLUGIN_H */
