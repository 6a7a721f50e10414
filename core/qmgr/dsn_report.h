// dsn_report.h - the delivery status messages Ferry mails: the non-delivery
// notification ("Undelivered Mail Returned to Sender") and the report
// `sendmail -bv` asks for ("Mail Delivery Status Report"), in the shape of
// Postfix's bounce(8): an RFC 3462 multipart/report with report-type
// delivery-status and three parts -
//   1. text/plain: the human text (Postfix's default template wording) and
//      one "<rcpt>: reason" paragraph per recipient, wrapped at 79 columns;
//   2. message/delivery-status (RFC 3464): Reporting-MTA, X-Postfix-Queue-ID,
//      X-Postfix-Sender, Arrival-Date, then per recipient Final-Recipient,
//      Original-Recipient (from ORCPT), Action, Status, Diagnostic-Code;
//   3. the original message (message/rfc822) or its headers only
//      (text/rfc822-headers): RET=HDRS, a message over bounce_size_limit,
//      and a verification report always show headers only.
//
// The builder is pure: the caller reads the original content, decides who
// gets the notice (wants_failure_notice, notice_recipient) and queues the
// result (qmgr/notice_queue.h).  Content lines end in LF, the queue file's
// native form.
#pragma once

#include "queue/queue_file.h"

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::qmgr {

enum class ReportKind {
    failure, // bounce: "Undelivered Mail Returned to Sender", Action: failed
    verify,  // sendmail -bv: "Mail Delivery Status Report"
};

struct ReportRecipient {
    std::string address; // the final recipient
    std::string expanded_from; // the queued recipient an alias expanded, or ""
    std::string orcpt;   // DSN ORCPT as queued ("rfc822;user@example.com"), or ""
    std::string action;  // failed, deliverable, undeliverable
    std::string status;  // enhanced status code, "5.1.1"
    std::string reason;  // one line, "unknown user: \"x\""
};

struct ReportInput {
    ReportKind kind = ReportKind::failure;
    // A double bounce for the postmaster: "Postmaster Copy: Undelivered
    // Mail", Auto-Submitted: auto-generated.
    bool postmaster_copy = false;
    std::string myhostname;
    std::string myorigin;        // qualifies MAILER-DAEMON in From:, as cleanup does; "" = myhostname
    std::string mail_name = "Postfix";
    std::string queue_id;        // the original message's id
    std::string report_id;       // the new message's id (Received:, Message-Id:)
    std::uint64_t arrival_us = 0;
    std::string sender;          // the original sender
    std::string to;              // who gets the report (normally the sender)
    std::string envid;           // DSN ENVID, "" when absent
    queue::DsnRet ret = queue::DsnRet::unspecified;
    std::vector<ReportRecipient> recipients;
    std::string_view original;   // the original content, LF line ends
    bool eight_bit = false;      // is_eight_bit(): 8bit encoding, utf-8 text
    std::uint64_t bounce_size_limit = 50000; // 0: no limit
    std::time_t now = 0;
};

// The whole report message: headers, then the MIME body.
std::string build_report(const ReportInput &in);

// The headers of a message: everything before the first empty line (or the
// whole text when there is none).
std::string_view header_part(std::string_view content);

// Whether a recipient's DSN NOTIFY lets a failure be reported: no NOTIFY
// given, or FAILURE among it (NEVER and SUCCESS,DELAY say no).
bool wants_failure_notice(const queue::Recipient &recipient);

// Who gets the non-delivery notification of a message from `sender`, as
// Postfix's bounce(8) decides: the sender, from the null sender; for a
// bounce that bounced (null sender), 2bounce_notice_recipient from
// double_bounce_sender, only when notify_classes has bounce or 2bounce;
// nobody when that notice itself fails (never a triple bounce).
struct NoticeRoute {
    enum class To { sender, postmaster, nobody };
    To to = To::nobody;
    std::string recipient;   // the notice's envelope recipient
    std::string sender;      // the notice's envelope sender ("" = <>)
    std::string log_text;    // "sender non-delivery notification", ...
    bool warn_discarded = false; // log "undeliverable postmaster notification discarded"
};
NoticeRoute route_failure_notice(const std::string &sender, bool notify_double_bounce,
                                 const std::string &double_bounce_sender,
                                 const std::string &double_bounce_recipient);

// Wraps `text` at 79 columns the way Postfix's bounce text is wrapped:
// breaks at blanks, continuation lines indented by four blanks.  Each
// output line ends in LF.
std::string wrap_line(std::string_view text);

// 8bit when the message declared 8BITMIME or carries a byte above 127.
bool is_eight_bit(const queue::Envelope &envelope, std::string_view content);

} // namespace ferry::qmgr
