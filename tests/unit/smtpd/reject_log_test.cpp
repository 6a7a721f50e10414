// Tests for Postfix-format reject log lines.
#include <gtest/gtest.h>

#include "smtpd/reject_log.h"

using namespace ferry::smtpd;

TEST(RejectLog, FormatsRcptRejectLikePostfix)
{
    Envelope env;
    env.client_name = "client.example";
    env.client_addr = "192.0.2.1";
    env.protocol = "ESMTP";
    env.helo_name = "client.example";
    std::string from = "a@b", to = "x@example.test";
    RejectEvent ev{"", "RCPT", &env, &from, &to};
    Reply r{550, "5.1.1", "<x@example.test>: Recipient address rejected: User unknown"};
    EXPECT_EQ(format_reject(ev, r),
              "NOQUEUE: reject: RCPT from client.example[192.0.2.1]: 550 5.1.1 <x@example.test>: "
              "Recipient address rejected: User unknown; from=<a@b> to=<x@example.test> "
              "proto=ESMTP helo=<client.example>");
}

TEST(RejectLog, OmitsHeloWhenNoneAndNamesQueueId)
{
    Envelope env;
    env.client_name = "unknown";
    env.client_addr = "127.0.0.1";
    env.protocol = "SMTP";
    std::string from = "a@b";
    RejectEvent ev{"4ABC", "MAIL", &env, &from, nullptr};
    Reply r{553, "5.7.1", "<a@b>: Sender address rejected: Access denied"};
    EXPECT_EQ(format_reject(ev, r),
              "4ABC: reject: MAIL from unknown[127.0.0.1]: 553 5.7.1 <a@b>: Sender address "
              "rejected: Access denied; from=<a@b> proto=SMTP");
}
