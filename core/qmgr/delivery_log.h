// delivery_log.h - the per-recipient delivery line every delivery agent
// logs, in Postfix's shape, which pflogsumm and other log tools parse:
//
//   ID: to=<rcpt>, orig_to=<orig>, relay=local, delay=0.12,
//       delays=0.05/0.01/0/0.06, dsn=2.0.0, status=sent (delivered to maildir)
//
// (one line; orig_to only when it differs from to).  delay is the time since
// arrival; delays splits it into: before the queue manager, in the queue
// manager, connection set-up, and transmission.  Times are shown with two
// significant digits at most, and below 0.01 as "0".
#pragma once

#include <string>
#include <string_view>

namespace ferry::qmgr {

struct DeliveryLine {
    std::string queue_id;
    std::string to;
    std::string orig_to; // "" or equal to `to`: not shown
    std::string relay;   // "local", "none"
    double delay = 0;    // seconds since arrival
    double before_qmgr = 0, in_qmgr = 0, setup = 0, transmission = 0;
    std::string dsn;
    std::string status; // "sent", "deferred", "bounced"
    std::string text;   // the parenthesised reason
};

std::string format_delay(double seconds);
std::string format_delivery_line(const DeliveryLine &line);

} // namespace ferry::qmgr
