// Streaming content processing, pinned to what Postfix 3.7.11 queued and
// logged for the same input (observed with postcat and maillog).
#include "cleanup/content.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

using namespace ferry::cleanup;

namespace {

constexpr std::time_t nov29 = 1795977406; // Sun, 29 Nov 2026 18:36:46 UTC
const std::string received = "Received: from client.example (localhost [127.0.0.1])\r\n"
                             "\tby mx.example.test (Postfix) with ESMTP id 25581A981D1\r\n"
                             "\tfor <a@remote.test>; Sun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n";
const std::string added = "Message-Id: <20261129183646.25581A981D1@mx.example.test>\r\n"
                          "Date: Sun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n"
                          "From: s@sender.test\r\n";

ContentOptions options()
{
    setenv("TZ", "UTC", 1);
    tzset();
    ContentOptions o;
    o.queue_id = "25581A981D1";
    o.myhostname = "mx.example.test";
    o.arrival = nov29;
    o.sender = "s@sender.test";
    o.received = received;
    o.rewrite_allowed = true;
    return o;
}

struct Result {
    std::string out;
    Outcome outcome;
    std::vector<LogLine> log;
};

// Feeds `in` in pieces of `step` bytes (0: in one piece).
Result run(const ContentOptions &o, std::string_view in, std::size_t step = 0)
{
    Result r;
    Content c(o, [&](std::string_view s) { r.out += s; });
    if (step == 0)
        c.write(in);
    else
        for (std::size_t i = 0; i < in.size(); i += step)
            c.write(in.substr(i, step));
    r.outcome = c.finish();
    r.log = c.log_lines();
    return r;
}

std::string texts(const std::vector<LogLine> &log)
{
    std::string s;
    for (const auto &l : log)
        s += (l.warning ? "warning: " : "") + l.text + "\n";
    return s;
}

std::string repeat(std::string_view s, int n)
{
    std::string r;
    while (n-- > 0)
        r += s;
    return r;
}

} // namespace

TEST(Content, AddsMissingHeadersToBodyOnlyMessageWithSeparator)
{
    Result r = run(options(), "just a body line\r\n");
    EXPECT_TRUE(r.outcome.ok());
    EXPECT_EQ(r.out, received + added + "\r\njust a body line\r\n");
    EXPECT_EQ(texts(r.log), "25581A981D1: message-id=<20261129183646.25581A981D1@mx.example.test>\n");
}

TEST(Content, PresentHeadersAreUntouched)
{
    std::string msg = "Subject: hi\r\nFrom: x@y\r\nTo: t@u\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                      "Message-ID:   <sp@x>  \r\n\r\nbody\r\n";
    Result r = run(options(), msg);
    EXPECT_EQ(r.out, received + msg);
    EXPECT_EQ(texts(r.log), "25581A981D1: message-id=<sp@x>  \n");
}

TEST(Content, AddsOnlyWhatIsMissingInPostfixOrder)
{
    Result r = run(options(), "Subject: hi\r\nDate: x\r\n\r\nbody\r\n");
    EXPECT_EQ(r.out, received +
                         "Subject: hi\r\nDate: x\r\n"
                         "Message-Id: <20261129183646.25581A981D1@mx.example.test>\r\n"
                         "From: s@sender.test\r\n\r\nbody\r\n");
}

TEST(Content, AddsNothingWhenClientMayNotBeRewritten)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    Result r = run(o, "Subject: norewrite\r\n\r\nb\r\n");
    EXPECT_EQ(r.out, received + "Subject: norewrite\r\n\r\nb\r\n");
    EXPECT_EQ(texts(r.log), "25581A981D1: message-id=<>\n");
}

TEST(Content, AlwaysAddMissingHeadersOverridesClientCheck)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    o.always_add_missing_headers = true;
    o.undisclosed_recipients_header = "To: undisclosed-recipients:;";
    Result r = run(o, "Subject: always\r\n\r\nb\r\n");
    EXPECT_EQ(r.out, received + "Subject: always\r\n" + added + "To: undisclosed-recipients:;\r\n\r\nb\r\n");
}

TEST(Content, NoToHeaderAddedByDefault)
{
    Result r = run(options(), "Subject: hi\r\n\r\nb\r\n");
    EXPECT_EQ(r.out.find("To:"), std::string::npos);
}

TEST(Content, CcCountsAsRecipientHeader)
{
    ContentOptions o = options();
    o.undisclosed_recipients_header = "To: undisclosed-recipients:;";
    EXPECT_EQ(run(o, "Cc: c@x\r\n\r\nb\r\n").out, received + "Cc: c@x\r\n" + added + "\r\nb\r\n");
}

TEST(Content, NullSenderIsMailerDaemon)
{
    ContentOptions o = options();
    o.sender = "";
    EXPECT_NE(run(o, "\r\nb\r\n").out.find("\r\nFrom: MAILER-DAEMON\r\n\r\nb\r\n"), std::string::npos);
}

TEST(Content, ResentHeadersGetResentVariants)
{
    ContentOptions o = options();
    o.undisclosed_recipients_header = "To: undisclosed-recipients:;";
    Result r = run(o, "Resent-From: rf@x\r\nFrom: f@x\r\n\r\nb\r\n");
    EXPECT_EQ(r.out, received +
                         "Resent-From: rf@x\r\nFrom: f@x\r\n"
                         "Resent-Message-Id: <20261129183646.25581A981D1@mx.example.test>\r\n"
                         "Resent-Date: Sun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n"
                         "To: undisclosed-recipients:;\r\n\r\nb\r\n");
    EXPECT_EQ(texts(r.log), "25581A981D1: resent-message-id=<20261129183646.25581A981D1@mx.example.test>\n"
                            "25581A981D1: message-id=<>\n");
}

TEST(Content, BccIsRemovedWithItsContinuation)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    EXPECT_EQ(run(o, "To: t@x\r\nBcc: c@x,\r\n\td@x\r\n\r\nb\r\n").out, received + "To: t@x\r\n\r\nb\r\n");
}

TEST(Content, MessageWithoutBody)
{
    EXPECT_EQ(run(options(), "Subject: only headers\r\n").out, received + "Subject: only headers\r\n" + added);
}

TEST(Content, EmptyMessage)
{
    EXPECT_EQ(run(options(), "").out, received + added);
}

TEST(Content, FoldedHeaderStaysOneHeader)
{
    std::string msg = "Subject: a\r\n b\r\n\tc\r\nX: 1\r\n\r\nb\r\n";
    ContentOptions o = options();
    o.rewrite_allowed = false;
    EXPECT_EQ(run(o, msg).out, received + msg);
}

TEST(Content, BareLfLinesArePassedOnUnchanged)
{
    std::string msg = "Subject: bare\nX-A: 1\r\n\nbody\nline2\r\n";
    ContentOptions o = options();
    Result r = run(o, msg);
    EXPECT_EQ(r.out, received + "Subject: bare\nX-A: 1\r\n" + added + "\nbody\nline2\r\n");
}

TEST(Content, BareCrIsLineContent)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    std::string msg = "X-A: a\rb\r\n\r\nbo\rdy\r\n";
    EXPECT_EQ(run(o, msg).out, received + msg);
}

TEST(Content, ChunksSplitAnywhereGiveIdenticalOutput)
{
    std::string msg = "Received: from a by b; x\r\nSubject: s\r\n folded\r\nBcc: b@x\r\n\tmore\r\n"
                      "X-Cr: a\rb\nY: 1\r\n\r\nbody\r\n\r\n.more\nbare\r\n";
    for (const std::string &m : {msg, std::string("no header here\r\nSubject: x\r\n"),
                                 std::string("Subject: only\r\nTo: t@x\r\n"), std::string("\r\n\r\n")}) {
        Result whole = run(options(), m);
        for (std::size_t step = 1; step <= m.size(); ++step)
            EXPECT_EQ(run(options(), m, step).out, whole.out) << "step " << step;
        // Every split point with two chunks, including between CR and LF.
        for (std::size_t cut = 0; cut <= m.size(); ++cut) {
            Result r;
            Content c(options(), [&](std::string_view s) { r.out += s; });
            c.write(m.substr(0, cut));
            c.write(m.substr(cut));
            c.finish();
            EXPECT_EQ(r.out, whole.out) << "cut " << cut;
        }
    }
}

TEST(Content, HopCountBelowLimitIsAccepted)
{
    // 48 in the message plus smtpd's own: 49 Received: headers.
    Result r = run(options(), repeat("Received: from a by b; x\r\n", 48) + "\r\nb\r\n");
    EXPECT_TRUE(r.outcome.ok());
}

TEST(Content, HopCountAtLimitIsRejected)
{
    // 49 plus smtpd's own reaches hopcount_limit = 50: Postfix refuses.
    Result r = run(options(), repeat("Received: from a by b; x\r\n", 49) + "\r\nb\r\n");
    EXPECT_FALSE(r.outcome.ok());
    EXPECT_EQ(r.outcome.reply(), "554 5.4.6 Error: too many hops");
    EXPECT_EQ(texts(r.log), "warning: 25581A981D1: message rejected: hopcount exceeded\n");
}

TEST(Content, HopCountOverLimitIsRejectedAndStopsWriting)
{
    std::string out;
    Content c(options(), [&](std::string_view s) { out += s; });
    c.write(repeat("Received: from a by b; x\r\n", 60));
    EXPECT_TRUE(c.rejected());
    std::size_t size = out.size();
    c.write("\r\nbody\r\n");
    EXPECT_EQ(out.size(), size);
    EXPECT_EQ(c.finish().code, 554);
}

TEST(Content, DeliveredToDoesNotCountAsHop)
{
    EXPECT_TRUE(run(options(), repeat("Delivered-To: x@y\r\n", 70) + "\r\nb\r\n").outcome.ok());
}

TEST(Content, HeaderOverSizeLimitIsTruncated)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    std::string msg = "X-Long: " + std::string(110000, 'a') + "\r\n\tcont\r\nSubject: after\r\n\r\nb\r\n";
    Result r = run(o, msg);
    EXPECT_TRUE(r.outcome.ok());
    std::string expect = "X-Long: " + std::string(102400 - 8, 'a') + "\r\nSubject: after\r\n\r\nb\r\n";
    EXPECT_EQ(r.out, received + expect);
    EXPECT_EQ(run(o, msg, 7).out, r.out);
}

TEST(Content, FoldedHeaderIsMeasuredWithOneByteLineBreaks)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    o.header_size_limit = 10;
    // "X: 12\n 45" is 9 bytes and fits; the next line's break alone fills it to 10.
    EXPECT_EQ(run(o, "X: 12\r\n 45\r\n\r\nb\r\n").out, received + "X: 12\r\n 45\r\n\r\nb\r\n");
    EXPECT_EQ(run(o, "X: 12\r\n 456\r\n 7\r\n\r\nb\r\n").out, received + "X: 12\r\n 456\r\n\r\nb\r\n");
    EXPECT_EQ(run(o, "X: 12\r\n 4567\r\n\r\nb\r\n").out, received + "X: 12\r\n 456\r\n\r\nb\r\n");
}

TEST(Content, LongBodyLineBeforeHeadersEndIsNotTruncated)
{
    ContentOptions o = options();
    o.rewrite_allowed = false;
    o.header_size_limit = 16;
    std::string line(100, 'x');
    EXPECT_EQ(run(o, line + "\r\n").out, received + "\r\n" + line + "\r\n");
}

TEST(Content, MessageSizeAtLimitIsAccepted)
{
    ContentOptions o = options();
    std::string msg = "Subject: s\r\n\r\n" + std::string(500, 'x') + "\r\n";
    long total = static_cast<long>(run(o, msg).out.size());
    o.message_size_limit = total;
    Result r = run(o, msg, 3);
    EXPECT_TRUE(r.outcome.ok());
    EXPECT_EQ(static_cast<long>(r.out.size()), total);
}

TEST(Content, MessageSizeOneByteOverIsRejected)
{
    ContentOptions o = options();
    std::string msg = "Subject: s\r\n\r\n" + std::string(500, 'x') + "\r\n";
    long total = static_cast<long>(run(o, msg).out.size());
    o.message_size_limit = total - 1;
    Result r = run(o, msg, 3);
    EXPECT_EQ(r.outcome.reply(), "552 5.3.4 Error: message file too big");
    EXPECT_LE(static_cast<long>(r.out.size()), total - 1);
    EXPECT_EQ(r.log.back().text, "25581A981D1: queue file size limit exceeded");
    EXPECT_TRUE(r.log.back().warning);
}

TEST(Content, SizeOffsetCountsAgainstTheLimit)
{
    ContentOptions o = options();
    std::string msg = "\r\nb\r\n";
    long total = static_cast<long>(run(o, msg).out.size());
    o.message_size_limit = total + 100;
    o.size_offset = 100;
    EXPECT_TRUE(run(o, msg).outcome.ok());
    o.size_offset = 101;
    EXPECT_FALSE(run(o, msg).outcome.ok());
}

TEST(Content, ZeroSizeLimitMeansNoLimit)
{
    ContentOptions o = options();
    o.message_size_limit = 0;
    EXPECT_TRUE(run(o, "\r\n" + std::string(20000, 'x')).outcome.ok());
}
