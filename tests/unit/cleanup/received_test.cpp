// Received: header and date texts, as Postfix 3.7's smtpd writes them
// (captured with postcat from a real Postfix 3.7.11).
#include "cleanup/received.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

using namespace ferry::cleanup;

namespace {

constexpr std::time_t nov29 = 1795977406; // Sun, 29 Nov 2026 18:36:46 UTC
constexpr std::time_t nov1 = 1793558206;  // Sun,  1 Nov 2026 18:36:46 UTC

struct Zone {
    explicit Zone(const char *tz) { setenv("TZ", tz, 1); tzset(); }
    ~Zone() { setenv("TZ", "UTC", 1); tzset(); }
};

ReceivedInputs inputs(std::string helo, std::string protocol, std::vector<std::string> rcpts)
{
    ReceivedInputs in;
    in.helo_name = std::move(helo);
    in.client_name = "localhost";
    in.client_addr = "127.0.0.1";
    in.myhostname = "mx.example.test";
    in.protocol = std::move(protocol);
    in.queue_id = "25581A981D1";
    in.recipients = std::move(rcpts);
    in.arrival = nov29;
    return in;
}

} // namespace

TEST(Received, EsmtpOneRecipientHasForClause)
{
    Zone z("UTC");
    EXPECT_EQ(received_header(inputs("client.example", "ESMTP", {"a@remote.test"})),
              "Received: from client.example (localhost [127.0.0.1])\r\n"
              "\tby mx.example.test (Postfix) with ESMTP id 25581A981D1\r\n"
              "\tfor <a@remote.test>; Sun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n");
}

TEST(Received, SmtpOneRecipientHasForClause)
{
    Zone z("UTC");
    EXPECT_EQ(received_header(inputs("plain.example", "SMTP", {"a@remote.test"})),
              "Received: from plain.example (localhost [127.0.0.1])\r\n"
              "\tby mx.example.test (Postfix) with SMTP id 25581A981D1\r\n"
              "\tfor <a@remote.test>; Sun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n");
}

TEST(Received, SeveralRecipientsHaveNoForClause)
{
    Zone z("UTC");
    EXPECT_EQ(received_header(inputs("plain.example", "SMTP", {"a@remote.test", "b@remote.test"})),
              "Received: from plain.example (localhost [127.0.0.1])\r\n"
              "\tby mx.example.test (Postfix) with SMTP id 25581A981D1;\r\n"
              "\tSun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n");
}

TEST(Received, EsmtpsWithoutTlsDetailsIsPlain)
{
    Zone z("UTC");
    EXPECT_EQ(received_header(inputs("tls.example", "ESMTPS", {"a@x.test", "b@x.test"})),
              "Received: from tls.example (localhost [127.0.0.1])\r\n"
              "\tby mx.example.test (Postfix) with ESMTPS id 25581A981D1;\r\n"
              "\tSun, 29 Nov 2026 18:36:46 +0000 (UTC)\r\n");
}

TEST(Received, EsmtpsWithTlsDetails)
{
    Zone z("America/New_York");
    ReceivedInputs in = inputs("tls.example", "ESMTPS", {"a@x.test"});
    in.queue_id = "A74FAA98073";
    in.tls = TlsSummary{"TLSv1.3", "TLS_AES_256_GCM_SHA384", 256, 256,
                        "key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
                        "No client certificate requested"};
    EXPECT_EQ(received_header(in),
              "Received: from tls.example (localhost [127.0.0.1])\r\n"
              "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
              "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n"
              "\t(No client certificate requested)\r\n"
              "\tby mx.example.test (Postfix) with ESMTPS id A74FAA98073\r\n"
              "\tfor <a@x.test>; Sun, 29 Nov 2026 13:36:46 -0500 (EST)\r\n");
}

TEST(Received, MailNameIsConfigurable)
{
    Zone z("UTC");
    ReceivedInputs in = inputs("h", "ESMTPSA", {"a@x.test"});
    in.mail_name = "Ferry";
    EXPECT_NE(received_header(in).find("\tby mx.example.test (Ferry) with ESMTPSA id "), std::string::npos);
}

TEST(Received, NoHeloShowsClientName)
{
    Zone z("UTC");
    ReceivedInputs in = inputs("", "SMTP", {});
    in.client_addr = "IPv6:2001:db8::1";
    EXPECT_EQ(received_header(in).substr(0, 50), "Received: from localhost (localhost [IPv6:2001:db8");
}

TEST(Rfc5322Date, SpacePadsTheDayAndNamesTheZone)
{
    Zone z("UTC");
    EXPECT_EQ(rfc5322_date(nov1), "Sun,  1 Nov 2026 18:36:46 +0000 (UTC)");
    Zone ny("America/New_York");
    EXPECT_EQ(rfc5322_date(nov29), "Sun, 29 Nov 2026 13:36:46 -0500 (EST)");
}
