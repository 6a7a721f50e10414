// Session tests: commands, replies, sequence errors, limits, pipelining,
// STARTTLS and asynchronous hooks.  Replies are Postfix 3.7's, as observed.
#include <gtest/gtest.h>

#include "fake_hooks.h"

using namespace ferry::smtpd;
using namespace ferry::smtpd::test;

namespace {
const char *ehlo_reply =
    "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";
}

TEST(Session, GreetsWithBanner)
{
    Driver d;
    EXPECT_EQ(d.start(), "220 mx.example.test ESMTP Postfix\r\n");
    Driver custom;
    custom.cfg.banner = "mx.example.test ESMTP ready";
    EXPECT_EQ(custom.start(), "220 mx.example.test ESMTP ready\r\n");
}

TEST(Session, EhloListsKeywordsInPostfixOrder)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("EHLO client.example\r\n"), ehlo_reply);
    EXPECT_EQ(d.session->envelope().protocol, "ESMTP");
    EXPECT_EQ(d.send("HELO client.example\r\n"), "250 mx.example.test\r\n");
    EXPECT_EQ(d.session->envelope().protocol, "SMTP");
}

TEST(Session, EhloOmitsDisabledAndAddsStarttls)
{
    Driver d;
    d.cfg.disable_vrfy_command = true;
    d.cfg.tls_available = true;
    d.start();
    EXPECT_EQ(d.send("EHLO x\r\n"),
              "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ETRN\r\n"
              "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
              "250-SMTPUTF8\r\n250 CHUNKING\r\n");
}

TEST(Session, HeloWithoutNameIsSyntaxError)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("HELO\r\nEHLO\r\n"), "501 Syntax: HELO hostname\r\n501 Syntax: EHLO hostname\r\n");
}

TEST(Session, FullTransaction)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("MAIL FROM:<a@b> SIZE=20 BODY=8BITMIME\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@example.test> NOTIFY=FAILURE ORCPT=rfc822;x@example.test\r\n"),
              "250 2.1.5 Ok\r\n");
    EXPECT_EQ(d.send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(d.send("Subject: t\r\n\r\nbody\r\n.\r\n"), "250 2.0.0 Ok: queued as 4ABCDE\r\n");
    EXPECT_EQ(d.hooks.messages.at(0), "Subject: t\r\n\r\nbody\r\n");
    const Envelope &e = d.hooks.last_envelope;
    EXPECT_EQ(e.sender, "a@b");
    ASSERT_EQ(e.recipients.size(), 1u);
    EXPECT_EQ(e.recipients[0].notify, notify_failure);
    EXPECT_EQ(e.recipients[0].orcpt, "rfc822;x@example.test");
    EXPECT_EQ(e.body, Body::eight_bit_mime);
    EXPECT_EQ(e.size, 20u);
    EXPECT_EQ(e.helo_name, "client.example");
    EXPECT_EQ(e.client_addr, "192.0.2.1");
    EXPECT_EQ(e.protocol, "ESMTP");
    EXPECT_EQ(d.send("QUIT\r\n"), "221 2.0.0 Bye\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::close);
}

TEST(Session, SequenceErrorsAsPostfix)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("RCPT TO:<x@y>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
    EXPECT_EQ(d.send("DATA\r\n"), "503 5.5.1 Error: need RCPT command\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "503 5.5.1 Error: nested MAIL command\r\n");
    EXPECT_EQ(d.send("DATA\r\n"), "554 5.5.1 Error: no valid recipients\r\n");
    EXPECT_EQ(d.send("RSET x\r\n"), "501 5.5.4 Syntax: RSET\r\n");
    EXPECT_EQ(d.send("RSET\r\n"), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
}

TEST(Session, EhloEndsTransaction)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\n");
    d.send("EHLO again\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
}

TEST(Session, MailWithoutHeloIsAccepted)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(d.session->envelope().protocol, "SMTP");
}

TEST(Session, SyntaxErrorsAsPostfix)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("MAIL FROM <a@b>\r\n"), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    EXPECT_EQ(d.send("MAIL\r\n"), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b\r\n"), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a b@c>\r\n"), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b> FOO=bar\r\n"), "555 5.5.4 Unsupported option: FOO=bar\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<a@b> SIZE=99999999999\r\n"), "552 5.3.4 Message size exceeds fixed limit\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(d.send("RCPT TO <x@y>\r\n"), "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    EXPECT_EQ(d.send("RCPT TO:<>\r\n"), "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y\r\n"), "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y> NOTIFY=x\r\n"), "501 5.5.4 Error: Bad NOTIFY parameter syntax\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y> FOO=1\r\n"), "555 5.5.4 Unsupported option: FOO=1\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y>\r\n"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(d.send("DATA x\r\n"), "501 5.5.4 Syntax: DATA\r\n");
}

TEST(Session, UnicodeAddressNeedsSmtputf8)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("MAIL FROM:<j\xc3\xb6rg@b>\r\n"),
              "553 5.6.7 Must declare SMTPUTF8 to send unicode address\r\n");
    EXPECT_EQ(d.send("MAIL FROM:<j\xc3\xb6rg@b> SMTPUTF8\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_TRUE(d.session->envelope().smtputf8);
}

TEST(Session, UnknownAndUnavailableCommands)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("HELP\r\n"), "500 5.5.2 Error: command not recognized\r\n");
    EXPECT_EQ(d.send("EXPN x\r\n"), "500 5.5.2 Error: command not recognized\r\n");
    EXPECT_EQ(d.send("\r\n"), "500 5.5.2 Error: bad syntax\r\n");
    EXPECT_EQ(d.send("STARTTLS\r\n"), "502 5.5.1 Error: command not implemented\r\n");
    EXPECT_EQ(d.send("NOOP anything\r\n"), "250 2.0.0 Ok\r\n");
}

TEST(Session, NulEndsTheCommand)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send(std::string("NO\0OP\r\n", 7)), "500 5.5.2 Error: command not recognized\r\n");
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send(std::string("RCPT TO:<r\0oot@x>\r\n", 19)), "501 5.1.3 Bad recipient address syntax\r\n");
}

TEST(Session, BareLfEndsCommandInNormalMode)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("NOOP\nNOOP\r\n"), "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n");
}

TEST(Session, BareLfCommandInRejectModeCloses)
{
    Driver d;
    d.cfg.forbid_bare_newline = BareNewline::reject;
    d.start();
    EXPECT_EQ(d.send("NOOP\nNOOP\r\n"), "521 5.5.2 mx.example.test Error: bare <LF> received\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::close);
}

TEST(Session, OverlongCommandIsCutAndRestSkipped)
{
    Driver d;
    d.start();
    std::string line = "NOOP" + std::string(3000, 'A') + "\r\nNOOP\r\n";
    EXPECT_EQ(d.send(line), "500 5.5.2 Error: command not recognized\r\n250 2.0.0 Ok\r\n");
    // The same split across packets, the long part arriving without its end.
    Driver e;
    e.start();
    EXPECT_EQ(e.send("NOOP" + std::string(2500, 'A')), "500 5.5.2 Error: command not recognized\r\n");
    EXPECT_EQ(e.send(std::string(5000, 'B')), "");
    EXPECT_EQ(e.send("B\r\nNOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST(Session, VrfyAsPostfix)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("VRFY\r\n"), "501 5.5.4 Syntax: VRFY address [SMTPUTF8]\r\n");
    EXPECT_EQ(d.send("VRFY x\r\n"), "252 2.0.0 x\r\n");
    d.hooks.reject_rcpt["nobody@x"] = Reply{550, "5.1.1", "<nobody@x>: Recipient address rejected: User unknown"};
    EXPECT_EQ(d.send("VRFY <nobody@x>\r\n"), "550 5.1.1 <nobody@x>: Recipient address rejected: User unknown\r\n");
    Driver off;
    off.cfg.disable_vrfy_command = true;
    off.start();
    EXPECT_EQ(off.send("VRFY x\r\n"), "502 5.5.1 VRFY command is disabled\r\n");
}

TEST(Session, EtrnAsPostfix)
{
    Driver d;
    d.start();
    // HELO first only with smtpd_helo_required (default no).
    EXPECT_EQ(d.send("ETRN x\r\n"), "459 <x>: service unavailable\r\n");
    d.send("EHLO c\r\n");
    EXPECT_EQ(d.send("ETRN\r\n"), "500 Syntax: ETRN domain\r\n");
    EXPECT_EQ(d.send("ETRN x\r\n"), "459 <x>: service unavailable\r\n");
    // RFC 1985's @domain and #queue: the mark is dropped.
    EXPECT_EQ(d.send("ETRN @example.org\r\n"), "459 <example.org>: service unavailable\r\n");
    EXPECT_EQ(d.send("ETRN #example.org\r\n"), "459 <example.org>: service unavailable\r\n");
    EXPECT_EQ(d.send("ETRN bad!name\r\n"), "501 Error: invalid parameter syntax\r\n");
    EXPECT_EQ(d.send("ETRN -x.example\r\n"), "501 Error: invalid parameter syntax\r\n");
    EXPECT_EQ(d.send("ETRN [192.0.2.1]\r\n"), "459 <[192.0.2.1]>: service unavailable\r\n");
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send("ETRN x\r\n"), "503 Error: MAIL transaction in progress\r\n");

    Driver strict;
    strict.cfg.helo_required = true;
    strict.start();
    EXPECT_EQ(strict.send("ETRN x\r\n"), "503 Error: send HELO/EHLO first\r\n");
}

// smtpd_helo_required: MAIL needs HELO/EHLO first; by default it does not.
TEST(Session, HeloRequiredRefusesMailBeforeHelo)
{
    Driver lax;
    lax.start();
    EXPECT_EQ(lax.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    Driver strict;
    strict.cfg.helo_required = true;
    strict.start();
    EXPECT_EQ(strict.send("MAIL FROM:<a@b>\r\n"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
    strict.send("HELO c\r\n");
    EXPECT_EQ(strict.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
}

TEST(Session, RecipientLimit)
{
    Driver d;
    d.cfg.recipient_limit = 2;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send("RCPT TO:<1@x>\r\nRCPT TO:<2@x>\r\nRCPT TO:<3@x>\r\n"),
              "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n");
}

// As Postfix: the first smtpd_recipient_overshoot_limit "too many
// recipients" replies are not errors, neither for smtpd_hard_error_limit
// nor in the disconnect line's counts; beyond it they are.
TEST(Session, RecipientsOverTheLimitAreNotErrorsUpToTheOvershootLimit)
{
    Driver d;
    d.cfg.recipient_limit = 1;
    d.cfg.hard_error_limit = 2;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\n");
    std::string rcpt = "RCPT TO:<1@x>\r\n";
    const std::string over = "452 4.5.3 Error: too many recipients\r\n";
    EXPECT_EQ(d.send(rcpt + rcpt + rcpt + rcpt), "250 2.1.5 Ok\r\n" + over + over + over);
    EXPECT_EQ(d.send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(d.session->error_count(), 0u);
    EXPECT_NE(d.session->command_stats().find("rcpt=4 "), std::string::npos) << d.session->command_stats();

    Driver strict;
    strict.cfg.recipient_limit = 1;
    strict.cfg.recipient_overshoot_limit = 1;
    strict.cfg.hard_error_limit = 2;
    strict.ehlo();
    strict.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(strict.send(rcpt + rcpt + rcpt),
              "250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n452 4.5.3 Error: too many recipients\r\n");
    EXPECT_EQ(strict.session->error_count(), 1u);
}

TEST(Session, HardErrorLimitClosesWith421)
{
    Driver d;
    d.cfg.hard_error_limit = 3;
    d.cfg.soft_error_limit = 2;
    d.start();
    EXPECT_EQ(d.send("FOO\r\nFOO\r\n"), "500 5.5.2 Error: command not recognized\r\n"
                                       "500 5.5.2 Error: command not recognized\r\n");
    EXPECT_EQ(d.session->take_delay(), 1u); // the second error reached the soft limit
    EXPECT_EQ(d.send("FOO\r\nNOOP\r\n"), "500 5.5.2 Error: command not recognized\r\n"
                                        "421 4.7.0 mx.example.test Error: too many errors\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::close);
    EXPECT_EQ(d.send("NOOP\r\n"), "");
}

TEST(Session, DeliveredMailResetsErrorCount)
{
    Driver d;
    d.ehlo();
    d.send("FOO\r\n");
    EXPECT_EQ(d.session->error_count(), 1u);
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\nx\r\n.\r\n");
    EXPECT_EQ(d.session->error_count(), 0u);
}

TEST(Session, PipelinedCommandsAnsweredTogether)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nRCPT TO:<z@y>\r\nDATA\r\n"),
              std::string(ehlo_reply) + "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
                                        "354 End data with <CR><LF>.<CR><LF>\r\n");
}

TEST(Session, PartialLinesWaitForTheirEnd)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("NO"), "");
    EXPECT_EQ(d.send("OP\r"), "");
    EXPECT_EQ(d.send("\n"), "250 2.0.0 Ok\r\n");
}

TEST(Session, RejectedRecipientIsLoggedAndReplied)
{
    Driver d;
    d.ehlo();
    d.hooks.reject_rcpt["bad@x"] = Reply{550, "5.1.1", "<bad@x>: Recipient address rejected: User unknown"};
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send("RCPT TO:<bad@x>\r\n"), "550 5.1.1 <bad@x>: Recipient address rejected: User unknown\r\n");
    EXPECT_EQ(d.send("DATA\r\n"), "554 5.5.1 Error: no valid recipients\r\n");
}

TEST(Session, DataRefusedWithPipelinedContentHangsUp)
{
    Driver d;
    d.ehlo();
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\nDATA\r\nSubject: x\r\n.\r\n"),
              "250 2.1.0 Ok\r\n554 5.5.1 Error: no valid recipients\r\n"
              "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::close);
}

TEST(Session, StarttlsDiscardsInjectedPlaintext)
{
    Driver d;
    d.cfg.tls_available = true;
    d.cfg.helo_required = true; // so that ETRN shows whether EHLO is needed again
    d.ehlo();
    EXPECT_EQ(d.send("STARTTLS\r\nMAIL FROM:<evil@x>\r\nRCPT TO:<v@x>\r\n"), "220 2.0.0 Ready to start TLS\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::start_tls);
    EXPECT_EQ(d.send("NOOP\r\n"), ""); // nothing is read before the handshake
    EXPECT_EQ(d.session->tls_started(), Session::Next::read);
    // The injected MAIL was not executed and the client must greet again.
    EXPECT_TRUE(d.hooks.calls.empty());
    EXPECT_EQ(d.send("ETRN x\r\n"), "503 Error: send HELO/EHLO first\r\n");
    EXPECT_EQ(d.send("EHLO c\r\n"), std::string(ehlo_reply));
    EXPECT_EQ(d.session->envelope().protocol, "ESMTPS");
    EXPECT_EQ(d.send("STARTTLS\r\n"), "554 5.5.1 Error: TLS already active\r\n");
}

TEST(Session, StarttlsSyntaxAndTransaction)
{
    Driver d;
    d.cfg.tls_available = true;
    d.ehlo();
    EXPECT_EQ(d.send("STARTTLS now\r\n"), "501 5.5.4 Syntax: STARTTLS\r\n");
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send("STARTTLS\r\n"), "503 5.5.1 Error: MAIL transaction in progress\r\n");
}

TEST(Session, AsyncSenderCheckHoldsInput)
{
    Driver d;
    d.ehlo();
    d.hooks.pend_sender = true;
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n"), "");
    EXPECT_EQ(d.session->next(), Session::Next::wait);
    EXPECT_EQ(d.send("NOOP\r\n"), ""); // buffered
    EXPECT_EQ(d.hooks.calls.size(), 1u);
    d.hooks.pend_sender = false;
    EXPECT_EQ(d.session->resume(Verdict::accept()), Session::Next::read);
    EXPECT_EQ(d.session->take_output(), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n");
}

TEST(Session, AsyncRecipientReject)
{
    Driver d;
    d.ehlo();
    d.hooks.pend_rcpt = true;
    d.send("MAIL FROM:<a@b>\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@y>\r\n"), "");
    d.session->resume(Verdict::reject(Reply{450, "4.1.1", "<x@y>: Recipient address rejected: try again"}));
    EXPECT_EQ(d.session->take_output(), "450 4.1.1 <x@y>: Recipient address rejected: try again\r\n");
    EXPECT_TRUE(d.session->envelope().recipients.empty());
}

TEST(Session, AsyncEndOfMessage)
{
    Driver d;
    d.ehlo();
    d.hooks.pend_end = true;
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n"),
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::wait);
    d.session->resume(Verdict::queued("QID1"));
    EXPECT_EQ(d.session->take_output(), "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
}

TEST(Session, QueueWriteErrorIsReplied)
{
    Driver d;
    d.ehlo();
    d.hooks.end_answer = Verdict::reject(Reply{451, "4.3.0", "Error: queue file write error"});
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\nhi\r\n.\r\n"),
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
              "451 4.3.0 Error: queue file write error\r\n");
    EXPECT_FALSE(d.session->in_transaction());
}

TEST(Session, DisconnectAbortsOpenMessage)
{
    Driver d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\npartial");
    d.session->disconnect();
    EXPECT_EQ(d.hooks.calls.back(), "abort");
}

TEST(SessionStats, DisconnectSummaryCountsCommandsLikePostfix)
{
    Driver d;
    d.ehlo();
    d.hooks.reject_rcpt["nobody@x"] = Reply{550, "5.1.1", "<nobody@x>: Recipient address rejected"};
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<nobody@x>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nFOO\r\nQUIT\r\n");
    EXPECT_EQ(d.session->command_stats(), "ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 unknown=0/1 commands=5/7");
}

TEST(SessionStats, NothingSaidIsCommandsZeroOfZero)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.session->command_stats(), "commands=0/0");
}

// An empty line is answered as a syntax error (and counts towards the
// error limits) but is no command in the summary, as in Postfix.
TEST(SessionStats, AnEmptyLineIsNotACommand)
{
    Driver d;
    d.start();
    EXPECT_EQ(d.send("\r\n"), "500 5.5.2 Error: bad syntax\r\n");
    EXPECT_EQ(d.session->error_count(), 1u);
    d.send("NOOP\r\n");
    EXPECT_EQ(d.session->command_stats(), "noop=1 commands=1");
}
