// received.cpp - see received.h.
#include "cleanup/received.h"

#include <cstdio>
#include <cstdlib>

namespace ferry::cleanup {

std::string rfc5322_date(std::time_t when)
{
    std::tm local{};
    localtime_r(&when, &local);
    char head[64];
    std::strftime(head, sizeof head, "%a, %e %b %Y %H:%M:%S", &local);
    long off = local.tm_gmtoff / 60;
    char zone[40];
    std::snprintf(zone, sizeof zone, " %c%02ld%02ld", off < 0 ? '-' : '+', std::labs(off) / 60,
                  std::labs(off) % 60);
    char abbr[64];
    std::strftime(abbr, sizeof abbr, "%Z", &local);
    return std::string(head) + zone + " (" + abbr + ")";
}

std::string received_header(const ReceivedInputs &in)
{
    const std::string &from = in.helo_name.empty() ? in.client_name : in.helo_name;
    std::string h = "Received: from " + from + " (" + in.client_name + " [" + in.client_addr + "])\r\n";
    if (in.tls) {
        const TlsSummary &t = *in.tls;
        h += "\t(using " + t.protocol + " with cipher " + t.cipher_name + " (" +
             std::to_string(t.cipher_usebits) + "/" + std::to_string(t.cipher_algbits) + " bits)";
        if (!t.key_exchange.empty())
            h += "\r\n\t " + t.key_exchange;
        h += ")\r\n";
        if (!t.peer_certificate.empty())
            h += "\t(" + t.peer_certificate + ")\r\n";
    }
    h += "\tby " + in.myhostname + " (" + in.mail_name + ") with " + in.protocol + " id " + in.queue_id;
    if (in.recipients.size() == 1)
        h += "\r\n\tfor <" + in.recipients.front() + ">; ";
    else
        h += ";\r\n\t";
    h += rfc5322_date(in.arrival) + "\r\n";
    return h;
}

} // namespace ferry::cleanup
