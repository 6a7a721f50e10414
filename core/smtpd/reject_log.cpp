// reject_log.cpp - NOQUEUE/queue-id reject lines.
#include "smtpd/reject_log.h"

#include "log/msg.h"

namespace ferry::smtpd {

std::string format_reject(const RejectEvent &event, const Reply &reply)
{
    std::string line = event.queue_id.empty() ? std::string("NOQUEUE") : std::string(event.queue_id);
    line += ": reject: ";
    line += event.stage;
    line += " from ";
    if (event.envelope) {
        line += event.envelope->client_name;
        line += '[';
        line += event.envelope->client_addr;
        line += ']';
    }
    line += ": ";
    line += reply.summary();
    line += ';';
    if (event.sender)
        line += " from=<" + *event.sender + ">";
    if (event.recipient)
        line += " to=<" + *event.recipient + ">";
    if (event.envelope) {
        if (!event.envelope->protocol.empty())
            line += " proto=" + event.envelope->protocol;
        if (!event.envelope->helo_name.empty())
            line += " helo=<" + event.envelope->helo_name + ">";
    }
    return line;
}

void log_reject(const RejectEvent &event, const Reply &reply)
{
    msg::info(format_reject(event, reply));
}

} // namespace ferry::smtpd
