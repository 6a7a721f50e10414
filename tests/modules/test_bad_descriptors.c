/* test_bad_descriptors.c - one source, several broken modules, chosen by a
 * macro at build time:
 *   BAD_MAJOR      claims ABI 2.0
 *   BAD_TINY       declares a descriptor smaller than ABI 1.0's
 *   BAD_NULL       the entry returns NULL
 *   BAD_INIT       init() fails with a reason
 *   BAD_NO_ENTRY   exports no entry symbol at all
 * Each also provides map type "tbad" so only the checks can refuse it. */
#include <ferry/plugin.h>

#include <string.h>

static int dummy;
static void *b_open(const char *type, const char *name, unsigned flags,
                    const ferry_host *host, char *err, size_t errlen) {
    (void)type, (void)name, (void)flags, (void)host, (void)err, (void)errlen;
    return &dummy;
}
static int b_lookup(void *h, const char *key, size_t keylen, ferry_sink *value,
                    char *err, size_t errlen) {
    (void)h, (void)key, (void)keylen, (void)value, (void)err, (void)errlen;
    return FERRY_NOTFOUND;
}
static const ferry_map_ops ops = {sizeof(ferry_map_ops), b_open, b_lookup,
                                  NULL, NULL, NULL, NULL, NULL};
static const ferry_map_type types[] = {{FERRY_MAP_TYPE_HEADER, "tbad", 0, &ops}};

#if defined(BAD_INIT)
static int b_init(const ferry_host *host, char *err, size_t errlen) {
    (void)host;
    strncpy(err, "license expired", errlen - 1);
    err[errlen - 1] = '\0';
    return -1;
}
#else
#define b_init NULL
#endif

#if defined(BAD_MAJOR)
#define HEADER 2, 0, (uint32_t)sizeof(ferry_module)
#elif defined(BAD_TINY)
#define HEADER FERRY_ABI_MAJOR, FERRY_ABI_MINOR, 16u
#else
#define HEADER FERRY_MODULE_HEADER
#endif

static const ferry_module module = {
    HEADER, "test-bad", "0", types, 1, NULL, 0, b_init, NULL,
};

#if !defined(BAD_NO_ENTRY)
FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) {
#if defined(BAD_NULL)
    (void)module;
    return NULL;
#else
    return &module;
#endif
}
#else
/* Keep the descriptor referenced so the file is otherwise a real module. */
const ferry_module *test_bad_descriptor(void) { return &module; }
#endif
