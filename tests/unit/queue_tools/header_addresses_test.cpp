// Addresses from To:/Cc:/Bcc: values, as sendmail -t takes them.
#include "pickup/header_addresses.h"

#include <gtest/gtest.h>

using ferry::pickup::header_addresses;
using ferry::pickup::header_name;
using List = std::vector<std::string>;

TEST(HeaderAddresses, TakesBareAndAngleAddresses) {
    EXPECT_EQ(header_addresses(" a@example.com, Bob <b@example.com>"), (List{"a@example.com", "b@example.com"}));
}

TEST(HeaderAddresses, QuotedCommaIsNotASeparator) {
    EXPECT_EQ(header_addresses("\"Doe, J\" <jd@example.net>"), (List{"jd@example.net"}));
}

TEST(HeaderAddresses, CommentsAreDropped) {
    EXPECT_EQ(header_addresses("jd@example.net (John, Doe)"), (List{"jd@example.net"}));
}

TEST(HeaderAddresses, GroupsGiveTheirMembers) {
    EXPECT_EQ(header_addresses("team: x@example.com, y@example.com;, z@example.com"),
              (List{"x@example.com", "y@example.com", "z@example.com"}));
    EXPECT_EQ(header_addresses("undisclosed-recipients:;"), List{});
}

TEST(HeaderAddresses, EmptyValueGivesNothing) {
    EXPECT_EQ(header_addresses("  "), List{});
    EXPECT_EQ(header_addresses(", ,"), List{});
}

TEST(HeaderName, NamesAHeaderLineOnly) {
    EXPECT_EQ(header_name("To: x"), "To");
    EXPECT_EQ(header_name("not a header"), "");
    EXPECT_EQ(header_name(": empty name"), "");
}
