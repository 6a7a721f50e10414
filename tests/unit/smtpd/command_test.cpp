// Tests for command line splitting and MAIL/RCPT path parsing.
#include <gtest/gtest.h>

#include "smtpd/command.h"

using namespace ferry::smtpd;
using S = PathArgument::Status;

TEST(Command, SplitsVerbAndArgumentsCaseInsensitively)
{
    auto c = split_command("mail  FROM:<a@b>  ");
    EXPECT_EQ(c.verb, "MAIL");
    EXPECT_EQ(c.args, "FROM:<a@b>");
    EXPECT_EQ(split_command("").verb, "");
    EXPECT_EQ(split_command("QUIT").args, "");
}

TEST(Command, ParsesBracketedPathAndParams)
{
    auto p = parse_path("FROM:<a@b> SIZE=10 BODY=8BITMIME", "FROM:");
    EXPECT_EQ(p.status, S::ok);
    EXPECT_EQ(p.address, "a@b");
    EXPECT_EQ(p.params, "SIZE=10 BODY=8BITMIME");
}

TEST(Command, AcceptsWhatPostfixAccepts)
{
    EXPECT_EQ(parse_path("from: <a@b>", "FROM:").address, "a@b");
    EXPECT_EQ(parse_path("FROM:a@b", "FROM:").address, "a@b");
    EXPECT_EQ(parse_path("FROM:<>", "FROM:").address, "");
    EXPECT_EQ(parse_path("FROM:<@x,@y:a@b>", "FROM:").address, "a@b");
    EXPECT_EQ(parse_path("FROM:<\"a b\"@c>", "FROM:").address, "\"a b\"@c");
}

TEST(Command, RejectsMissingKeywordAsSyntax)
{
    EXPECT_EQ(parse_path("FROM <a@b>", "FROM:").status, S::syntax);
    EXPECT_EQ(parse_path("FROM:", "FROM:").status, S::syntax);
    EXPECT_EQ(parse_path("", "TO:").status, S::syntax);
}

TEST(Command, RejectsMalformedAddresses)
{
    EXPECT_EQ(parse_path("FROM:<a@b", "FROM:").status, S::bad_address);
    EXPECT_EQ(parse_path("FROM:<a b@c>", "FROM:").status, S::bad_address);
    EXPECT_EQ(parse_path("FROM:<a@b>x", "FROM:").status, S::bad_address);
    EXPECT_EQ(parse_path("FROM:<@x>", "FROM:").status, S::bad_address);
    EXPECT_EQ(parse_path("FROM:<a\x01@b>", "FROM:").status, S::bad_address);
    EXPECT_EQ(parse_path("FROM:<\"a@b>", "FROM:").status, S::bad_address);
}
