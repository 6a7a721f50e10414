// Session tests for two Postfix policies: smtpd_tls_security_level =
// encrypt (530 5.7.0 before STARTTLS, 454 4.7.0 when TLS cannot start) and
// command pipelining where RFC 2920 forbids it (the "improper command
// pipelining after CMD from host[addr]: input" log line, and the 554 5.5.0
// of smtpd_forbid_unauth_pipelining).  Each refusal sits next to the case
// that is allowed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

#include "fake_hooks.h"
#include "log/msg.h"

using namespace ferry;
using namespace ferry::smtpd;
using namespace ferry::smtpd::test;

namespace {

const char *must_starttls = "530 5.7.0 Must issue a STARTTLS command first\r\n";

// Collects what the session logs while it lives.
class LogCapture {
public:
    LogCapture()
    {
        int fd = mkstemp(path_);
        if (fd >= 0)
            close(fd);
        msg::log_to_file(path_);
        msg::quiet(true);
    }
    ~LogCapture()
    {
        msg::quiet(false);
        msg::log_to_file("");
        unlink(path_);
    }
    std::string text() const
    {
        std::ifstream in(path_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    std::size_t count(std::string_view what) const
    {
        std::string t = text();
        std::size_t n = 0;
        for (auto at = t.find(what); at != std::string::npos; at = t.find(what, at + 1))
            ++n;
        return n;
    }

private:
    char path_[64] = "/tmp/ferry-session-log-XXXXXX";
};

// A session of the smtpd service, which checks pipelining.
struct Network : Driver {
    Network() { cfg.check_pipelining = true; }
};

struct TlsRequired : Driver {
    TlsRequired()
    {
        cfg.tls_available = true;
        cfg.tls_required = true;
    }
    // STARTTLS and a finished handshake.
    void go_tls()
    {
        EXPECT_EQ(send("STARTTLS\r\n"), "220 2.0.0 Ready to start TLS\r\n");
        EXPECT_EQ(session->next(), Session::Next::start_tls);
        EXPECT_EQ(session->tls_started(), Session::Next::read);
    }
};

} // namespace

TEST(SessionTlsRequired, RefusesMailBeforeStarttlsAndAcceptsItAfter)
{
    TlsRequired d;
    d.start();
    EXPECT_NE(d.send("EHLO client.example\r\n").find("250-STARTTLS\r\n"), std::string::npos);
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), must_starttls);
    EXPECT_TRUE(d.hooks.calls.empty()) << "no sender check before TLS";
    EXPECT_FALSE(d.session->in_transaction());
    d.go_tls();
    std::string ehlo = d.send("EHLO client.example\r\n");
    EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos) << ehlo;
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(d.send("RCPT TO:<x@example.test>\r\n"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(d.send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(d.send("Subject: t\r\n\r\nbody\r\n.\r\n"), "250 2.0.0 Ok: queued as 4ABCDE\r\n");
    EXPECT_EQ(d.session->envelope().protocol, "ESMTPS");
}

TEST(SessionTlsRequired, OnlyHeloEhloStarttlsNoopQuitPassBeforeTls)
{
    TlsRequired d;
    d.start();
    EXPECT_EQ(d.send("HELO client.example\r\n"), "250 mx.example.test\r\n");
    EXPECT_EQ(d.send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
    for (const char *cmd : {"MAIL FROM:<a@b>", "RCPT TO:<x@y>", "DATA", "RSET", "VRFY x@y", "ETRN example.test",
                            "AUTH PLAIN AGEAYg=="})
        EXPECT_EQ(d.send(std::string(cmd) + "\r\n"), must_starttls) << cmd;
    // Unknown commands are unknown, TLS or not.
    EXPECT_EQ(d.send("HELP\r\n"), "500 5.5.2 Error: command not recognized\r\n");
    EXPECT_EQ(d.session->error_count(), 8u) << "each 530 counts as an error, as in Postfix";
    EXPECT_EQ(d.send("QUIT\r\n"), "221 2.0.0 Bye\r\n");
    EXPECT_EQ(d.session->command_stats(),
              "helo=1 auth=0/1 mail=0/1 rcpt=0/1 data=0/1 rset=0/1 noop=1 vrfy=0/1 etrn=0/1 quit=1 "
              "unknown=0/1 commands=3/11");
}

TEST(SessionTlsRequired, BdatChunkBeforeTlsIsSkippedNotReadAsCommands)
{
    TlsRequired d;
    d.ehlo();
    // The chunk holds a command line; it must not be answered.
    EXPECT_EQ(d.send("BDAT 10 LAST\r\nNOOP\r\nxxxxRSET\r\n"), std::string(must_starttls) + must_starttls);
    d.go_tls();
    d.send("EHLO client.example\r\n");
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_EQ(d.send("BDAT 4 LAST\r\nabcd"), "250 2.0.0 Ok: 6 bytes queued as 4ABCDE\r\n");
}

TEST(SessionTlsRequired, MayChangesNothing)
{
    Driver d;
    d.cfg.tls_available = true; // smtpd_tls_security_level = may
    d.ehlo();
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(d.send("VRFY x@y\r\n"), "252 2.0.0 x@y\r\n");
}

TEST(SessionTlsRequired, WithoutCertificateStarttlsIsOfferedButRefused)
{
    Driver d;
    d.cfg.tls_required = true; // encrypt, but no certificate loaded
    d.start();
    EXPECT_NE(d.send("EHLO client.example\r\n").find("250-STARTTLS\r\n"), std::string::npos);
    EXPECT_EQ(d.send("STARTTLS\r\n"), "454 4.7.0 TLS not available due to local problem\r\n");
    EXPECT_EQ(d.session->next(), Session::Next::read);
    EXPECT_EQ(d.send("MAIL FROM:<a@b>\r\n"), must_starttls);
    // Neither required nor available: STARTTLS is simply not implemented.
    Driver plain;
    plain.ehlo();
    EXPECT_EQ(plain.send("STARTTLS\r\n"), "502 5.5.1 Error: command not implemented\r\n");
}

TEST(SessionPipelining, InputBeforeGreetingIsLoggedThenServed)
{
    LogCapture log;
    Network d;
    d.session = std::make_unique<Session>(d.cfg, ClientInfo{"client.example", "192.0.2.1"}, d.hooks);
    d.session->start("EHLO x\r\nMAIL FROM:<a@b>\r\n");
    std::string out = d.session->take_output();
    EXPECT_EQ(out.rfind("220 mx.example.test ESMTP Postfix\r\n250-mx.example.test\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("250 2.1.0 Ok\r\n"), std::string::npos) << out;
    EXPECT_TRUE(d.session->improper_pipelining());
    EXPECT_NE(log.text().find("improper command pipelining after CONNECT from client.example[192.0.2.1]: "
                              "EHLO x\\r\\nMAIL FROM:<a@b>\\r\\n"),
              std::string::npos)
        << log.text();
    EXPECT_EQ(log.count("improper command pipelining"), 1u) << "once per session";
}

TEST(SessionPipelining, PipeliningAfterEhloIsAllowedAfterHeloIsNot)
{
    LogCapture log;
    Network ok;
    ok.ehlo();
    EXPECT_EQ(ok.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\n"),
              "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(ok.send("x\r\n.\r\nQUIT\r\n"), "250 2.0.0 Ok: queued as 4ABCDE\r\n221 2.0.0 Bye\r\n");
    EXPECT_FALSE(ok.session->improper_pipelining());
    EXPECT_EQ(log.count("improper command pipelining"), 0u) << log.text();

    Network helo;
    helo.start();
    EXPECT_EQ(helo.send("HELO client.example\r\nMAIL FROM:<a@b>\r\n"), "250 mx.example.test\r\n250 2.1.0 Ok\r\n");
    EXPECT_TRUE(helo.session->improper_pipelining());
    EXPECT_NE(log.text().find("improper command pipelining after HELO from client.example[192.0.2.1]: "
                              "MAIL FROM:<a@b>\\r\\n"),
              std::string::npos)
        << log.text();
}

TEST(SessionPipelining, GroupEndersMustWaitForTheirReply)
{
    LogCapture log;
    Network d;
    d.ehlo();
    d.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n");
    EXPECT_FALSE(d.session->improper_pipelining());
    // Content sent with DATA, before the 354.
    d.send("DATA\r\nSubject: early\r\n\r\n\x01\\\r\n.\r\n");
    EXPECT_TRUE(d.session->improper_pipelining());
    EXPECT_NE(log.text().find("improper command pipelining after DATA from client.example[192.0.2.1]: "
                              "Subject: early\\r\\n\\r\\n\\001\\\\\\r\\n.\\r\\n"),
              std::string::npos)
        << log.text();
    // Without smtpd_forbid_unauth_pipelining the message still goes through.
    EXPECT_EQ(d.hooks.messages.size(), 1u);
}

TEST(SessionPipelining, LoggedTextIsCutAt100Bytes)
{
    LogCapture log;
    Network d;
    d.start();
    d.send("NOOP\r\n" + std::string(300, 'z') + "\r\n");
    std::string t = log.text();
    auto at = t.find("after NOOP from client.example[192.0.2.1]: ");
    ASSERT_NE(at, std::string::npos) << t;
    std::string rest = t.substr(at + std::string("after NOOP from client.example[192.0.2.1]: ").size());
    EXPECT_EQ(rest, std::string(100, 'z') + "\n");
}

TEST(SessionPipelining, ForbidUnauthPipeliningEndsTheSession)
{
    LogCapture log;
    Network early;
    early.cfg.forbid_unauth_pipelining = true;
    early.session = std::make_unique<Session>(early.cfg, ClientInfo{"client.example", "192.0.2.1"}, early.hooks);
    EXPECT_EQ(early.session->start("EHLO x\r\n"), Session::Next::close);
    EXPECT_EQ(early.session->take_output(), "554 5.5.0 Error: SMTP protocol synchronization\r\n");
    EXPECT_EQ(log.count("improper command pipelining after CONNECT"), 1u) << log.text();

    Network helo;
    helo.cfg.forbid_unauth_pipelining = true;
    helo.start();
    EXPECT_EQ(helo.send("HELO x\r\nMAIL FROM:<a@b>\r\n"), "554 5.5.0 Error: SMTP protocol synchronization\r\n");
    EXPECT_EQ(helo.session->next(), Session::Next::close);
    EXPECT_TRUE(helo.hooks.calls.empty());

    // A client that waits for each reply, or pipelines after EHLO, is served.
    Network polite;
    polite.cfg.forbid_unauth_pipelining = true;
    polite.start();
    EXPECT_EQ(polite.send("HELO x\r\n"), "250 mx.example.test\r\n");
    EXPECT_EQ(polite.send("MAIL FROM:<a@b>\r\n"), "250 2.1.0 Ok\r\n");
    polite.send("EHLO x\r\n");
    EXPECT_EQ(polite.send("MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\n"), "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n");
    EXPECT_EQ(polite.session->next(), Session::Next::read);
}

TEST(SessionPipelining, StandAloneSessionsAreNotChecked)
{
    // sendmail -bs reads a script from stdin: Postfix does not check it.
    LogCapture log;
    Driver bs;
    bs.cfg.forbid_unauth_pipelining = true;
    bs.session = std::make_unique<Session>(bs.cfg, ClientInfo{"localhost", "127.0.0.1"}, bs.hooks);
    bs.session->start("HELO x\r\nMAIL FROM:<a@b>\r\n");
    EXPECT_NE(bs.session->take_output().find("250 2.1.0 Ok\r\n"), std::string::npos);
    EXPECT_FALSE(bs.session->improper_pipelining());
    EXPECT_EQ(log.count("improper command pipelining"), 0u) << log.text();
}
