// notifier.h - the queue manager's side of Postfix's bounce(8): turns the
// outcome of a delivery attempt into a delivery status message and queues
// it (qmgr/dsn_report.h builds it, qmgr/notice_queue.h queues it), with
// bounce(8)'s log lines ("ID: sender non-delivery notification: NEWID").
//
// A notice is durable in incoming/ before the caller marks the recipients
// it reports done; a false return means it could not be written and the
// caller keeps those recipients for another attempt.
#pragma once

#include "qmgr/channel.h"
#include "qmgr/dsn_report.h"
#include "queue/queue_file_reader.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ferry::qmgr {

struct NotifierSettings {
    std::string queue_directory;
    std::string myhostname, myorigin, mail_name = "Postfix";
    std::uint64_t bounce_size_limit = 50000;
    bool notify_double_bounce = false; // notify_classes has bounce or 2bounce
    std::string double_bounce_sender;  // qualified with myorigin
    std::string double_bounce_recipient;

    // From the parameters (get returns a parameter's value).
    static NotifierSettings from(const std::string &queue_directory,
                                 const std::function<std::string(const char *)> &get);
};

class Notifier {
public:
    explicit Notifier(NotifierSettings settings) : s_(std::move(settings)) {}

    // The non-delivery notification for the bounced recipients (answers by
    // recipient index), routed by route_failure_notice.  Recipients whose
    // NOTIFY leaves out FAILURE are not reported; with none left, nothing
    // is sent and the result is true.
    bool send_bounce(const queue::QueueFileReader &r, const std::vector<DeliveryAnswer> &bounced);

    // sendmail -bv: the "Mail Delivery Status Report" to the sender; a
    // report for the null sender is discarded with a warning.
    bool send_verify_report(const queue::QueueFileReader &r, std::vector<ReportRecipient> listed);

private:
    ReportInput input(const queue::QueueFileReader &r, ReportKind kind, const std::string &to,
                      const std::string &original) const;
    bool queue_report(ReportInput in, const std::string &sender, const std::string &what);
    std::string qualify(const std::string &address) const;

    NotifierSettings s_;
};

} // namespace ferry::qmgr
