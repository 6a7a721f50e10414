// Tests for MAIL and RCPT parameters, with Postfix's replies.
#include <gtest/gtest.h>

#include "smtpd/esmtp_params.h"

using namespace ferry::smtpd;

namespace {
std::string mail_err(std::string_view params, std::uint64_t limit = 10240000)
{
    Envelope env;
    auto r = parse_mail_params(params, limit, env);
    return r ? r->summary() : "ok";
}
std::string rcpt_err(std::string_view params)
{
    Recipient r;
    auto e = parse_rcpt_params(params, r);
    return e ? e->summary() : "ok";
}
} // namespace

TEST(EsmtpParams, AcceptsMailParameters)
{
    Envelope env;
    EXPECT_FALSE(parse_mail_params("SIZE=100 BODY=8bitmime RET=HDRS ENVID=a+2Bb SMTPUTF8 AUTH=<>", 0, env));
    EXPECT_EQ(env.size, 100u);
    EXPECT_EQ(env.body, Body::eight_bit_mime);
    EXPECT_EQ(env.ret, Ret::hdrs);
    EXPECT_EQ(env.envid, "a+b");
    EXPECT_TRUE(env.smtputf8);
}

TEST(EsmtpParams, RejectsBadMailParametersAsPostfix)
{
    EXPECT_EQ(mail_err("SIZE=x"), "501 5.5.4 Bad message size syntax");
    EXPECT_EQ(mail_err("SIZE="), "501 5.5.4 Bad message size syntax");
    EXPECT_EQ(mail_err("SIZE=99999999999"), "552 5.3.4 Message size exceeds fixed limit");
    EXPECT_EQ(mail_err("SIZE=10240001"), "552 5.3.4 Message size exceeds fixed limit");
    EXPECT_EQ(mail_err("SIZE=10240000"), "ok");
    EXPECT_EQ(mail_err("SIZE=1 SIZE=2"), "ok");
    EXPECT_EQ(mail_err("BODY=foo"), "555 5.5.4 Unsupported option: BODY=foo");
    EXPECT_EQ(mail_err("BODY=BINARYMIME"), "555 5.5.4 Unsupported option: BODY=BINARYMIME");
    EXPECT_EQ(mail_err("RET=x"), "501 5.5.4 Bad RET parameter syntax");
    EXPECT_EQ(mail_err("RET=FULL RET=HDRS"), "501 5.5.4 Bad RET parameter syntax");
    EXPECT_EQ(mail_err("ENVID="), "501 5.5.4 Bad ENVID parameter syntax");
    EXPECT_EQ(mail_err("ENVID=a+2"), "501 5.5.4 Bad ENVID parameter syntax");
    EXPECT_EQ(mail_err("ENVID=a+zz"), "501 5.5.4 Bad ENVID parameter syntax");
    EXPECT_EQ(mail_err("ENVID=a ENVID=b"), "501 5.5.4 Bad ENVID parameter syntax");
    EXPECT_EQ(mail_err("FOO=bar"), "555 5.5.4 Unsupported option: FOO=bar");
    EXPECT_EQ(mail_err("SMTPUTF8=x"), "555 5.5.4 Unsupported option: SMTPUTF8=x");
}

TEST(EsmtpParams, AcceptsRcptParameters)
{
    Recipient r;
    EXPECT_FALSE(parse_rcpt_params("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+40y", r));
    EXPECT_EQ(r.notify, notify_success | notify_failure);
    EXPECT_EQ(r.orcpt, "rfc822;x@y");
    Recipient n;
    EXPECT_FALSE(parse_rcpt_params("notify=never", n));
    EXPECT_EQ(n.notify, notify_never);
}

TEST(EsmtpParams, RejectsBadRcptParametersAsPostfix)
{
    EXPECT_EQ(rcpt_err("NOTIFY=x"), "501 5.5.4 Error: Bad NOTIFY parameter syntax");
    EXPECT_EQ(rcpt_err("NOTIFY=NEVER,SUCCESS"), "501 5.5.4 Error: Bad NOTIFY parameter syntax");
    EXPECT_EQ(rcpt_err("NOTIFY=DELAY NOTIFY=DELAY"), "501 5.5.4 Error: Bad NOTIFY parameter syntax");
    EXPECT_EQ(rcpt_err("ORCPT=x"), "501 5.5.4 Error: Bad ORCPT parameter syntax");
    EXPECT_EQ(rcpt_err("ORCPT=rfc822;"), "501 5.5.4 Error: Bad ORCPT parameter syntax");
    EXPECT_EQ(rcpt_err("FOO=1"), "555 5.5.4 Unsupported option: FOO=1");
}

TEST(EsmtpParams, DecodesXtext)
{
    EXPECT_EQ(xtext_decode("a+2Bb+3D"), "a+b=");
    EXPECT_FALSE(xtext_decode("a+2b"));
    EXPECT_FALSE(xtext_decode("a+"));
    EXPECT_FALSE(xtext_decode("a=b"));
    EXPECT_FALSE(xtext_decode("a b"));
}
