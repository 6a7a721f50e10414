/* test_transports.c - transports that misbehave on purpose, for the host's
 * promises about unreported recipients and failed requests:
 *   partial  reports recipient 0 delivered, the rest never, returns 0
 *   failing  reports 0 delivered and 1 deferred, then returns -1
 *   liar     reports a 4.x code as delivered, an invalid status and an
 *            index out of range, returns 0
 *   refuses  open() fails with a reason
 */
#include <ferry/plugin.h>

#include <stdio.h>
#include <string.h>

static int handle_token;

static void *t_open(const char *name, int argc, const char *const *argv,
                    const ferry_host *host, char *err, size_t errlen) {
    (void)argc;
    (void)argv;
    (void)host;
    if (strcmp(name, "refuses") == 0) {
        snprintf(err, errlen, "refuses: not today");
        return NULL;
    }
    return &handle_token;
}

static int partial_deliver(void *handle, const ferry_delivery *r, char *err, size_t errlen) {
    (void)handle;
    (void)err;
    (void)errlen;
    if (r->recipient_count > 0)
        r->report(r->report_ctx, 0, FERRY_DELIVERED, "2.0.0", "ok");
    return 0;
}

static int failing_deliver(void *handle, const ferry_delivery *r, char *err, size_t errlen) {
    (void)handle;
    r->report(r->report_ctx, 0, FERRY_DELIVERED, "2.0.0", "ok");
    r->report(r->report_ctx, 1, FERRY_DEFERRED, "4.2.1", "mailbox busy");
    snprintf(err, errlen, "failing: disk on fire");
    return -1;
}

static int liar_deliver(void *handle, const ferry_delivery *r, char *err, size_t errlen) {
    (void)handle;
    (void)err;
    (void)errlen;
    r->report(r->report_ctx, 0, FERRY_DELIVERED, "4.0.0", "mixed up");
    r->report(r->report_ctx, 1, 7, "2.0.0", "what");
    r->report(r->report_ctx, 99, FERRY_DELIVERED, "2.0.0", "nobody");
    return 0;
}

static void t_close(void *handle) { (void)handle; }

static const ferry_transport_ops partial_ops = {sizeof(ferry_transport_ops), t_open,
                                                partial_deliver, t_close};
static const ferry_transport_ops failing_ops = {sizeof(ferry_transport_ops), t_open,
                                                failing_deliver, t_close};
static const ferry_transport_ops liar_ops = {sizeof(ferry_transport_ops), t_open,
                                             liar_deliver, t_close};

static const ferry_transport_type transports[] = {
    {FERRY_TRANSPORT_TYPE_HEADER, "partial", 0, &partial_ops},
    {FERRY_TRANSPORT_TYPE_HEADER, "failing", 0, &failing_ops},
    {FERRY_TRANSPORT_TYPE_HEADER, "liar", 0, &liar_ops},
    {FERRY_TRANSPORT_TYPE_HEADER, "refuses", 0, &partial_ops},
};

static const ferry_module descriptor = {
    FERRY_MODULE_HEADER, "test-transports", "0", NULL, 0,
    transports, sizeof transports / sizeof transports[0], NULL, NULL,
};

FERRY_MODULE_EXPORT const ferry_module *ferry_module_entry(void) { return &descriptor; }
