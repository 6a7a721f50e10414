// dsn_report_test.cpp - the delivery status messages qmgr mails: the exact
// bounce (headers, three MIME parts, RFC 3464 fields), RET=HDRS next to
// RET=FULL, bounce_size_limit, the -bv report, who gets a notice (never a
// bounce to <>), DSN NOTIFY, line wrapping, and the defer logfile.
#include "qmgr/defer_log.h"
#include "qmgr/dsn_report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

using namespace ferry;
using namespace ferry::qmgr;

namespace {

constexpr const char *original = "Received: from client.example\n\tby mx.ferry.test\n"
                                 "Subject: hello\nFrom: alice@example.org\n\nbody line\nsecond line\n";

ReportInput bounce_input() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    ReportInput in;
    in.kind = ReportKind::failure;
    in.myhostname = "mx.ferry.test";
    in.queue_id = "4QvAAA";
    in.report_id = "4QvBBB";
    in.arrival_us = 1700000000ull * 1000000;
    in.now = 1700000100;
    in.sender = "alice@example.org";
    in.to = "alice@example.org";
    in.original = original;
    in.recipients.push_back({"nosuch@mx.ferry.test", "", "rfc822;nosuch@mx.ferry.test", "failed", "5.1.1",
                             "unknown user: \"nosuch\""});
    return in;
}

} // namespace

TEST(DsnReport, BounceIsPostfixShapedMultipartReport) {
    std::string got = build_report(bounce_input());
    const std::string b = "4QvAAA.1700000100/mx.ferry.test";
    std::string want =
        "Received: by mx.ferry.test (Postfix)\n\tid 4QvBBB; Tue, 14 Nov 2023 22:15:00 +0000 (UTC)\n"
        "Date: Tue, 14 Nov 2023 22:15:00 +0000 (UTC)\n"
        "From: MAILER-DAEMON@mx.ferry.test (Mail Delivery System)\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "To: alice@example.org\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        "\tboundary=\"" + b + "\"\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Message-Id: <20231114221500.4QvBBB@mx.ferry.test>\n"
        "\n"
        "This is a MIME-encapsulated message.\n"
        "\n"
        "--" + b + "\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "This is the mail system at host mx.ferry.test.\n"
        "\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n"
        "\n"
        "For further assistance, please send mail to postmaster.\n"
        "\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n"
        "\n"
        "                   The mail system\n"
        "\n"
        "<nosuch@mx.ferry.test>: unknown user: \"nosuch\"\n"
        "\n"
        "--" + b + "\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.ferry.test\n"
        "X-Postfix-Queue-ID: 4QvAAA\n"
        "X-Postfix-Sender: rfc822; alice@example.org\n"
        "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000 (UTC)\n"
        "\n"
        "Final-Recipient: rfc822; nosuch@mx.ferry.test\n"
        "Original-Recipient: rfc822;nosuch@mx.ferry.test\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Diagnostic-Code: X-Postfix; unknown user: \"nosuch\"\n"
        "\n"
        "--" + b + "\n"
        "Content-Description: Undelivered Message\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "Return-Path: <alice@example.org>\n" +
        std::string(original) +
        "\n"
        "--" + b + "--\n";
    EXPECT_EQ(got, want);
}

TEST(DsnReport, NoOrcptMeansNoOriginalRecipient) {
    auto in = bounce_input();
    in.recipients[0].orcpt.clear();
    EXPECT_EQ(build_report(in).find("Original-Recipient:"), std::string::npos);
    in.envid = "env-1";
    EXPECT_NE(build_report(in).find("\nReporting-MTA: dns; mx.ferry.test\nOriginal-Envelope-Id: env-1\n"),
              std::string::npos);
}

TEST(DsnReport, RetFullReturnsTheWholeMessage) {
    auto in = bounce_input();
    in.ret = queue::DsnRet::full;
    std::string got = build_report(in);
    EXPECT_NE(got.find("Content-Description: Undelivered Message\nContent-Type: message/rfc822\n"), std::string::npos);
    EXPECT_NE(got.find("\nbody line\nsecond line\n"), std::string::npos);
}

TEST(DsnReport, RetHdrsReturnsHeadersOnly) {
    auto in = bounce_input();
    in.ret = queue::DsnRet::hdrs;
    std::string got = build_report(in);
    EXPECT_NE(got.find("Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
                       "Return-Path: <alice@example.org>\nReceived: from client.example\n"),
              std::string::npos);
    EXPECT_EQ(got.find("body line"), std::string::npos);
    EXPECT_NE(got.find("From: alice@example.org\n\n--4QvAAA.1700000100/mx.ferry.test--\n"), std::string::npos);
}

TEST(DsnReport, MessageOverBounceSizeLimitReturnsHeadersOnly) {
    auto in = bounce_input();
    in.bounce_size_limit = 20;
    std::string got = build_report(in);
    EXPECT_NE(got.find("Content-Type: text/rfc822-headers\n"), std::string::npos);
    EXPECT_EQ(got.find("body line"), std::string::npos);
    in.bounce_size_limit = 0; // no limit
    EXPECT_NE(build_report(in).find("body line"), std::string::npos);
}

TEST(DsnReport, EightBitOriginalIsDeclared) {
    auto in = bounce_input();
    in.eight_bit = true;
    std::string got = build_report(in);
    EXPECT_NE(got.find("Content-Transfer-Encoding: 8bit\nMessage-Id:"), std::string::npos);
    EXPECT_NE(got.find("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"),
              std::string::npos);
    queue::Envelope env;
    EXPECT_FALSE(is_eight_bit(env, "plain ascii\n"));
    EXPECT_TRUE(is_eight_bit(env, "caf\xc3\xa9\n"));
    env.body = queue::BodyType::eight_bit_mime;
    EXPECT_TRUE(is_eight_bit(env, "plain\n"));
}

TEST(DsnReport, VerifyReportListsEachRecipientWithItsAction) {
    auto in = bounce_input();
    in.kind = ReportKind::verify;
    in.recipients = {{"root@mx.ferry.test", "team@mx.ferry.test", "", "deliverable", "2.0.0", "delivers to mailbox"},
                     {"nosuch@mx.ferry.test", "", "", "undeliverable", "5.1.1", "unknown user: \"nosuch\""}};
    std::string got = build_report(in);
    EXPECT_NE(got.find("\nSubject: Mail Delivery Status Report\n"), std::string::npos);
    EXPECT_NE(got.find("This is the mail system at host mx.ferry.test.\n\n"
                       "Enclosed is the mail delivery report that you requested.\n\n"
                       "                   The mail system\n\n"
                       "<root@mx.ferry.test> (expanded from <team@mx.ferry.test>): delivers to mailbox\n\n"
                       "<nosuch@mx.ferry.test>: unknown user: \"nosuch\"\n"),
              std::string::npos);
    EXPECT_NE(got.find("Final-Recipient: rfc822; root@mx.ferry.test\nOriginal-Recipient: rfc822; team@mx.ferry.test\n"
                       "Action: deliverable\nStatus: 2.0.0\nDiagnostic-Code: X-Postfix; delivers to mailbox\n"),
              std::string::npos);
    EXPECT_NE(got.find("Action: undeliverable\nStatus: 5.1.1\n"), std::string::npos);
    // The report shows the probe's headers, never "Undelivered".
    EXPECT_NE(got.find("Content-Description: Message Headers\nContent-Type: text/rfc822-headers\n"), std::string::npos);
    EXPECT_EQ(got.find("Undelivered"), std::string::npos);
    EXPECT_EQ(got.find("body line"), std::string::npos);
}

TEST(DsnReport, PostmasterCopyHasItsOwnSubject) {
    auto in = bounce_input();
    in.postmaster_copy = true;
    in.to = "postmaster@mx.ferry.test";
    std::string got = build_report(in);
    EXPECT_NE(got.find("\nSubject: Postmaster Copy: Undelivered Mail\nTo: postmaster@mx.ferry.test\n"
                       "Auto-Submitted: auto-generated\n"),
              std::string::npos);
    EXPECT_EQ(got.find("Returned to Sender"), std::string::npos);
}

TEST(DsnReport, HeaderPartStopsAtTheFirstEmptyLine) {
    EXPECT_EQ(header_part("A: 1\nB: 2\n\nbody\n"), "A: 1\nB: 2\n");
    EXPECT_EQ(header_part("A: 1\n"), "A: 1\n");
    EXPECT_EQ(header_part("\nbody only\n"), "");
}

TEST(NoticeRoute, SenderGetsTheBounceFromTheNullSender) {
    auto r = route_failure_notice("alice@example.org", false, "double-bounce", "postmaster");
    EXPECT_EQ(r.to, NoticeRoute::To::sender);
    EXPECT_EQ(r.recipient, "alice@example.org");
    EXPECT_EQ(r.sender, "");
    EXPECT_EQ(r.log_text, "sender non-delivery notification");
}

TEST(NoticeRoute, NullSenderGetsNoBounce) {
    auto r = route_failure_notice("", false, "double-bounce", "postmaster");
    EXPECT_EQ(r.to, NoticeRoute::To::nobody);
    EXPECT_FALSE(r.warn_discarded);
}

TEST(NoticeRoute, NullSenderBounceGoesToPostmasterOnlyWhenNotifyClassesAsks) {
    auto r = route_failure_notice("", true, "double-bounce", "postmaster");
    EXPECT_EQ(r.to, NoticeRoute::To::postmaster);
    EXPECT_EQ(r.recipient, "postmaster");
    EXPECT_EQ(r.sender, "double-bounce");
    EXPECT_EQ(r.log_text, "postmaster non-delivery notification");
}

TEST(NoticeRoute, FailedPostmasterNotificationIsNeverBouncedAgain) {
    auto r = route_failure_notice("double-bounce@mx.ferry.test", true, "double-bounce", "postmaster");
    EXPECT_EQ(r.to, NoticeRoute::To::nobody);
    EXPECT_TRUE(r.warn_discarded);
}

TEST(DsnNotify, FailureNoticeOnlyWhenNotifyAllowsIt) {
    queue::Recipient r;
    EXPECT_TRUE(wants_failure_notice(r)); // no NOTIFY given
    r.notify = queue::notify_failure | queue::notify_delay;
    EXPECT_TRUE(wants_failure_notice(r));
    r.notify = queue::notify_never;
    EXPECT_FALSE(wants_failure_notice(r));
    r.notify = queue::notify_success | queue::notify_delay;
    EXPECT_FALSE(wants_failure_notice(r));
}

TEST(WrapLine, BreaksAtBlanksAndIndentsContinuations) {
    EXPECT_EQ(wrap_line("short"), "short\n");
    std::string words;
    for (int i = 0; i < 20; ++i) words += "word" + std::to_string(i) + " ";
    words.pop_back();
    std::string got = wrap_line(words);
    size_t nl = got.find('\n');
    ASSERT_NE(nl, std::string::npos);
    EXPECT_LE(nl, 79u);
    EXPECT_EQ(got.substr(nl + 1, 4), "    ");
    EXPECT_NE(got.substr(nl + 5, 1), " ");
    // A word longer than a line is kept whole.
    std::string longword(100, 'x');
    EXPECT_EQ(wrap_line(longword + " tail"), longword + "\n    tail\n");
}

TEST(DeferLog, RecordsRoundTrip) {
    std::string text = encode_defer_record({"a@example.org", "rfc822;a@example.org", "4.3.0", "no route"}) +
                       encode_defer_record({"b@example.org", "", "4.4.1", "line\nbreak"});
    EXPECT_EQ(text.substr(0, 96), "recipient=a@example.org\norcpt=rfc822;a@example.org\nstatus=4.3.0\naction=delayed\n"
                                  "reason=no route\n\n");
    auto got = decode_defer_log(text);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].recipient, "a@example.org");
    EXPECT_EQ(got[0].orcpt, "rfc822;a@example.org");
    EXPECT_EQ(got[0].reason, "no route");
    EXPECT_EQ(got[1].status, "4.4.1");
    EXPECT_EQ(got[1].reason, "line break"); // a newline cannot end the record early
}

TEST(DeferLog, TornOrMalformedRecordsAreSkipped) {
    auto got = decode_defer_log("recipient=a@x\nreason=r\n\ngarbage line\nreason=no recipient\n\nrecipient=c@x\nrea");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].recipient, "a@x");
    EXPECT_TRUE(decode_defer_log("").empty());
}
