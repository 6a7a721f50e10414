// reject_log.h - Postfix-format log lines for refused SMTP requests.
//
// "NOQUEUE: reject: RCPT from host[addr]: 550 5.1.1 <x>: Recipient address
// rejected: ...; from=<s> to=<x> proto=ESMTP helo=<h>", the line pflogsumm
// and fail2ban read.  format_reject() builds it; log_reject() sends it
// through ferry::msg.
#pragma once

#include <string>
#include <string_view>

#include "smtpd/envelope.h"
#include "smtpd/reply.h"

namespace ferry::smtpd {

struct RejectEvent {
    std::string_view queue_id;  // empty: "NOQUEUE"
    std::string_view stage;     // "MAIL", "RCPT", "VRFY", "DATA", "END-OF-MESSAGE"
    const Envelope *envelope = nullptr; // client, helo, protocol
    const std::string *sender = nullptr;    // from=<...> when known
    const std::string *recipient = nullptr; // to=<...> when relevant
};

std::string format_reject(const RejectEvent &event, const Reply &reply);
void log_reject(const RejectEvent &event, const Reply &reply);

} // namespace ferry::smtpd
