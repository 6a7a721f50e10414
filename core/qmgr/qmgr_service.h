// qmgr_service.h - the queue manager: moves new queue files from incoming/
// to active/, decides per recipient where it goes, hands local recipients
// to a local(8) process it starts for the message, and then removes the
// file (every recipient done) or moves it to deferred/ for a later try.
//
// Minimal on purpose (issue 5, item 8):
//  - one message at a time; inotify on incoming/ plus a scan every few
//    seconds (in case an event was missed); deferred/ is re-tried every
//    queue_run_delay (no per-message backoff yet, no maximal_queue_lifetime);
//  - at start, files left in active/ by a crash are delivered first: the
//    recipients marked done in the file are never delivered again;
//  - a recipient whose domain is not in mydestination is deferred, since
//    remote delivery (smtp) does not exist yet;
//  - local recipients go to `ferry service local` over a socketpair
//    (qmgr/channel.h); anything it did not answer is deferred;
//  - bounced recipients are logged (by local); the sender gets one
//    non-delivery notification per queue file (qmgr/notifier.h), queued
//    before they are marked done; deferred recipients' reasons go to the
//    defer/ID logfile (qmgr/defer_log.h) that mailq shows;
//  - a message sendmail -bv flagged (attribute trace_flags=verify) is not
//    delivered: its recipients are checked (qmgr/verify_local.h) and the
//    sender gets a delivery status report.
// SIGTERM and SIGUSR1 (reload) end the process after the current message.
#pragma once

#include "config/fwd.h"

namespace ferry::qmgr {

int run_qmgr_service(const Config &cfg, const config::MasterService &row);

} // namespace ferry::qmgr
