// dsn_report.cpp - see dsn_report.h.
#include "qmgr/dsn_report.h"

#include "cleanup/received.h"

#include <ctime>

namespace ferry::qmgr {
namespace {

// The human text, Postfix's default bounce templates in wording (the
// bounce_template_file parameter may replace them later).
constexpr const char *failure_text =
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n"
    "\n"
    "For further assistance, please send mail to postmaster.\n"
    "\n"
    "If you do so, please include this problem report. You can\n"
    "delete your own text from the attached returned message.\n";
constexpr const char *verify_text = "Enclosed is the mail delivery report that you requested.\n";
constexpr const char *signature = "\n                   The mail system\n";

constexpr size_t wrap_width = 79;
constexpr size_t wrap_indent = 4;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string message_id_stamp(std::time_t when) {
    std::tm utc{};
    ::gmtime_r(&when, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);
    return stamp;
}

} // namespace

std::string_view header_part(std::string_view content) {
    if (content.starts_with("\n")) return content.substr(0, 0);
    size_t end = content.find("\n\n");
    return end == std::string_view::npos ? content : content.substr(0, end + 1);
}

bool wants_failure_notice(const queue::Recipient &recipient) {
    return recipient.notify == 0 || (recipient.notify & queue::notify_failure) != 0;
}

bool is_eight_bit(const queue::Envelope &envelope, std::string_view content) {
    if (envelope.body == queue::BodyType::eight_bit_mime) return true;
    for (unsigned char c : content)
        if (c > 127) return true;
    return false;
}

NoticeRoute route_failure_notice(const std::string &sender, bool notify_double_bounce,
                                 const std::string &double_bounce_sender,
                                 const std::string &double_bounce_recipient) {
    NoticeRoute r;
    if (sender.empty()) {
        if (!notify_double_bounce) return r; // Postfix's default: dropped quietly
        r.to = NoticeRoute::To::postmaster;
        r.recipient = double_bounce_recipient;
        r.sender = double_bounce_sender;
        r.log_text = "postmaster non-delivery notification";
        return r;
    }
    std::string_view local = std::string_view(sender).substr(0, sender.rfind('@'));
    if (!double_bounce_sender.empty() && local == double_bounce_sender) {
        r.warn_discarded = true;
        return r;
    }
    r.to = NoticeRoute::To::sender;
    r.recipient = sender;
    r.log_text = "sender non-delivery notification";
    return r;
}

std::string wrap_line(std::string_view text) {
    std::string out;
    size_t indent = 0;
    while (true) {
        size_t room = wrap_width - indent;
        if (text.size() <= room) {
            out.append(indent, ' ');
            out.append(text);
            out += '\n';
            return out;
        }
        // The last blank that keeps the line within the width, else the
        // first blank after it: a long word is never cut.
        size_t cut = std::string_view::npos;
        for (size_t i = room; i > 0; --i)
            if (is_blank(text[i])) {
                cut = i;
                break;
            }
        if (cut == std::string_view::npos) {
            for (size_t i = room; i < text.size(); ++i)
                if (is_blank(text[i])) {
                    cut = i;
                    break;
                }
        }
        if (cut == std::string_view::npos) cut = text.size();
        out.append(indent, ' ');
        out.append(text.substr(0, cut));
        out += '\n';
        while (cut < text.size() && is_blank(text[cut])) ++cut;
        text.remove_prefix(cut);
        if (text.empty()) return out;
        indent = wrap_indent;
    }
}

std::string build_report(const ReportInput &in) {
    const bool failure = in.kind == ReportKind::failure;
    const bool eight_bit = in.eight_bit;
    const std::string encoding = eight_bit ? "8bit" : "7bit";
    const std::string origin = in.myorigin.empty() ? in.myhostname : in.myorigin;
    const std::string boundary = in.queue_id + "." + std::to_string(static_cast<long long>(in.now)) + "/" +
                                 in.myhostname;
    const std::string date = cleanup::rfc5322_date(in.now);

    std::string m;
    m += "Received: by " + in.myhostname + " (" + in.mail_name + ")\n\tid " + in.report_id + "; " + date + "\n";
    m += "Date: " + date + "\n";
    m += "From: MAILER-DAEMON@" + origin + " (Mail Delivery System)\n";
    const char *subject = !failure              ? "Mail Delivery Status Report"
                          : in.postmaster_copy ? "Postmaster Copy: Undelivered Mail"
                                               : "Undelivered Mail Returned to Sender";
    m += std::string("Subject: ") + subject + "\n";
    m += "To: " + in.to + "\n";
    m += std::string("Auto-Submitted: ") + (in.postmaster_copy ? "auto-generated" : "auto-replied") + "\n";
    m += "MIME-Version: 1.0\n";
    m += "Content-Type: multipart/report; report-type=delivery-status;\n";
    m += "\tboundary=\"" + boundary + "\"\n";
    m += "Content-Transfer-Encoding: " + encoding + "\n";
    m += "Message-Id: <" + message_id_stamp(in.now) + "." + in.report_id + "@" + in.myhostname + ">\n";
    m += "\nThis is a MIME-encapsulated message.\n";

    // 1. The human text.
    m += "\n--" + boundary + "\n";
    m += "Content-Description: Notification\n";
    m += std::string("Content-Type: text/plain; charset=") + (eight_bit ? "utf-8" : "us-ascii") + "\n";
    if (eight_bit) m += "Content-Transfer-Encoding: 8bit\n";
    m += "\nThis is the mail system at host " + in.myhostname + ".\n\n";
    m += failure ? failure_text : verify_text;
    m += signature;
    for (const auto &r : in.recipients) {
        m += "\n";
        std::string from = r.expanded_from.empty() ? "" : " (expanded from <" + r.expanded_from + ">)";
        m += wrap_line("<" + r.address + ">" + from + ": " + r.reason);
    }

    // 2. The machine-readable report, RFC 3464.
    m += "\n--" + boundary + "\n";
    m += "Content-Description: Delivery report\n";
    m += "Content-Type: message/delivery-status\n";
    m += "\nReporting-MTA: dns; " + in.myhostname + "\n";
    if (!in.envid.empty()) m += "Original-Envelope-Id: " + in.envid + "\n";
    m += "X-" + in.mail_name + "-Queue-ID: " + in.queue_id + "\n";
    if (!in.sender.empty()) m += "X-" + in.mail_name + "-Sender: rfc822; " + in.sender + "\n";
    if (in.arrival_us > 0)
        m += "Arrival-Date: " + cleanup::rfc5322_date(static_cast<std::time_t>(in.arrival_us / 1000000)) + "\n";
    for (const auto &r : in.recipients) {
        m += "\nFinal-Recipient: rfc822; " + r.address + "\n";
        if (!r.orcpt.empty()) m += "Original-Recipient: " + r.orcpt + "\n";
        else if (!r.expanded_from.empty()) m += "Original-Recipient: rfc822; " + r.expanded_from + "\n";
        m += "Action: " + r.action + "\n";
        m += "Status: " + r.status + "\n";
        m += wrap_line("Diagnostic-Code: X-" + in.mail_name + "; " + r.reason);
    }

    // 3. The original message, or its headers.
    bool headers_only = !failure || in.ret == queue::DsnRet::hdrs ||
                        (in.bounce_size_limit > 0 && in.original.size() > in.bounce_size_limit);
    m += "\n--" + boundary + "\n";
    m += std::string("Content-Description: ") + (failure ? "Undelivered " : "") +
         (headers_only ? "Message Headers" : "Message") + "\n";
    m += std::string("Content-Type: ") + (headers_only ? "text/rfc822-headers" : "message/rfc822") + "\n";
    if (eight_bit) m += "Content-Transfer-Encoding: 8bit\n";
    m += "\nReturn-Path: <" + in.sender + ">\n";
    std::string_view original = headers_only ? header_part(in.original) : in.original;
    m.append(original);
    if (!original.empty() && original.back() != '\n') m += '\n';
    m += "\n--" + boundary + "--\n";
    return m;
}

} // namespace ferry::qmgr
