// Session content tests: DATA end-of-data smuggling variants, streaming,
// the size limit, and BDAT.
#include <gtest/gtest.h>

#include "fake_hooks.h"

using namespace ferry::smtpd;
using namespace ferry::smtpd::test;

namespace {
const std::string open_tx = "MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\n";
const std::string open_replies = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n";

// Sends a message whose first part ends with a fake end-of-data, followed
// by a smuggled transaction; only one message may result.
void expect_not_smuggled(std::string_view fake_end)
{
    Driver d;
    d.ehlo();
    std::string in = open_tx + "hi" + std::string(fake_end) +
                     "MAIL FROM:<evil@x>\r\nRCPT TO:<v@x>\r\nDATA\r\nsmuggled\r\n.\r\n";
    EXPECT_EQ(d.send(in), open_replies + "250 2.0.0 Ok: queued as 4ABCDE\r\n") << fake_end;
    ASSERT_EQ(d.hooks.messages.size(), 1u);
    EXPECT_NE(d.hooks.messages[0].find("MAIL FROM:<evil@x>"), std::string::npos);
    for (const auto &c : d.hooks.calls)
        EXPECT_NE(c, "sender:evil@x");
}
} // namespace

TEST(SessionData, LfDotLfDoesNotEndMessage) { expect_not_smuggled("\n.\n"); }
TEST(SessionData, CrLfDotLfDoesNotEndMessage) { expect_not_smuggled("\r\n.\n"); }
TEST(SessionData, LfDotCrLfDoesNotEndMessage) { expect_not_smuggled("\n.\r\n"); }
TEST(SessionData, CrDotCrLfDoesNotEndMessage) { expect_not_smuggled("\r.\r\n"); }

TEST(SessionData, CommandsAfterDataInSamePacketAreContent)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send(open_tx + "QUIT\r\nRSET\r\n.\r\nNOOP\r\n"),
              open_replies + "250 2.0.0 Ok: queued as 4ABCDE\r\n250 2.0.0 Ok\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), "QUIT\r\nRSET\r\n");
}

TEST(SessionData, BareLfInDataRejectMode)
{
    Driver d;
    d.cfg.forbid_bare_newline = BareNewline::reject;
    d.ehlo();
    EXPECT_EQ(d.send(open_tx + "a\nb\r\n.\r\n"),
              open_replies + "521 5.5.2 mx.example.test Error: bare <LF> received\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::close);
    EXPECT_EQ(d.hooks.calls.back(), "abort");
}

TEST(SessionData, StreamsContentInChunks)
{
    Driver d;
    d.cfg.content_chunk_size = 1000;
    d.ehlo();
    d.send(open_tx);
    std::string body(10000, 'x');
    d.send(body);
    EXPECT_FALSE(d.hooks.chunk_sizes.empty()); // streamed before the end
    EXPECT_EQ(d.send("\r\n.\r\n"), "250 2.0.0 Ok: queued as 4ABCDE\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), body + "\r\n");
    for (auto n : d.hooks.chunk_sizes)
        EXPECT_LE(n, 1000u);
}

TEST(SessionData, SizeLimitEnforcedWhileStreaming)
{
    Driver d;
    d.cfg.message_size_limit = 100;
    d.ehlo();
    d.send(open_tx);
    std::string out = d.send(std::string(300, 'x') + "\r\n.\r\nNOOP\r\n");
    EXPECT_EQ(out, "552 5.3.4 Error: message file too big\r\n250 2.0.0 Ok\r\n");
    EXPECT_EQ(d.hooks.calls.back(), "abort");
    EXPECT_TRUE(d.hooks.messages.empty());
    EXPECT_FALSE(d.session->in_transaction());
}

TEST(SessionData, EnvelopeDataIsSplitAcrossPackets)
{
    Driver d;
    d.ehlo();
    std::string in = open_tx + "line\r\n..dot\r\n.\r\n";
    std::string out;
    for (char c : in)
        out += d.send(std::string(1, c));
    EXPECT_EQ(out, open_replies + "250 2.0.0 Ok: queued as 4ABCDE\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), "line\r\n.dot\r\n");
}

TEST(SessionBdat, ChunksAndLast)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 5\r\nhello"), "250 2.0.0 Ok: 5 bytes\r\n");
    EXPECT_EQ(d.send("BDAT 0 LAST\r\n"), "250 2.0.0 Ok: 7 bytes queued as 4ABCDE\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), "hello\r\n");
    EXPECT_TRUE(d.hooks.last_envelope.chunking);
}

TEST(SessionBdat, ExactByteCountsNoDotHandling)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    std::string chunk = "a\r\n.\r\nMAIL FROM:<e@x>\r\n";
    std::string out = d.send("BDAT " + std::to_string(chunk.size()) + " LAST\r\n" + chunk + "NOOP\r\n");
    EXPECT_EQ(out, "250 2.0.0 Ok: " + std::to_string(chunk.size()) + " bytes queued as 4ABCDE\r\n250 2.0.0 Ok\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), chunk);
}

TEST(SessionBdat, ChunkSplitAcrossPackets)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 6 LAST\r\nab"), "");
    EXPECT_EQ(d.send("cd\r\nNOOP\r\n"), "250 2.0.0 Ok: 6 bytes queued as 4ABCDE\r\n250 2.0.0 Ok\r\n");
}

TEST(SessionBdat, DataAfterBdatAndMixing)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 3\r\nabcDATA\r\n"), "250 2.0.0 Ok: 3 bytes\r\n503 5.5.1 Error: DATA after BDAT\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "503 5.5.1 Error: MAIL after BDAT\r\n");
    EXPECT_EQ(d.send("RCPT TO:<z@y>\r\n"), "503 5.5.1 Error: RCPT after BDAT\r\n");
    EXPECT_EQ(d.send("BDAT 1 LAST\r\nx"), "250 2.0.0 Ok: 6 bytes queued as 4ABCDE\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), "abcx\r\n");
}

TEST(SessionBdat, WithoutTransactionDiscardsChunk)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("BDAT 2\r\nxyNOOP\r\n"), "503 5.5.1 Error: need RCPT command\r\n250 2.0.0 Ok\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "503 5.5.1 Error: MAIL after BDAT\r\n");
    EXPECT_EQ(d.send("BDAT 1 LAST\r\nx"), "551 5.0.0 Discarded 1 bytes after earlier error\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
}

TEST(SessionBdat, NoValidRecipientsAndNullChunk)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send("BDAT 2\r\nxyRSET\r\n"), "554 5.5.1 Error: no valid recipients\r\n250 2.0.0 Ok\r\n");
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 0\r\n"), "551 5.7.1 Null BDAT request\r\n");
    EXPECT_EQ(d.send("BDAT 3 LAST\r\nabc"), "551 5.0.0 Discarded 3 bytes after earlier error\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_TRUE(d.hooks.messages.empty());
}

TEST(SessionBdat, SyntaxErrorCloses)
{
    for (std::string bad : {"BDAT\r\n", "BDAT x\r\n", "BDAT 1 NOTLAST\r\n", "BDAT 1 LAST x\r\n",
                            "BDAT 99999999999999999999\r\n"}) {
        Driver d;
        d.ehlo();
        EXPECT_EQ(d.send(bad), "521 5.5.4 Syntax: BDAT count [LAST]\r\n") << bad;
        EXPECT_EQ(d.session->next(), Session::Next::close);
    }
}

TEST(SessionBdat, SizeLimitRejectsChunkThenDiscards)
{
    Driver d;
    d.cfg.message_size_limit = 10;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 20\r\n" + std::string(20, 'x')), "552 5.3.4 Error: message file too big\r\n");
    EXPECT_EQ(d.send("BDAT 1 LAST\r\nx"), "551 5.0.0 Discarded 1 bytes after earlier error\r\n");
    EXPECT_TRUE(d.hooks.messages.empty());
}

TEST(SessionBdat, AsyncBeginHoldsChunkBytes)
{
    Driver d;
    d.ehlo();
    d.hooks.pend_begin = true;
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 4 LAST\r\nabcd"), "");
    EXPECT_EQ(d.session->next(), Session::Next::wait);
    d.session->resume(Verdict::accept());
    EXPECT_EQ(d.session->take_output(), "250 2.0.0 Ok: 6 bytes queued as 4ABCDE\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), "abcd\r\n");
}
