// listing_reasons_test.cpp - mailq / postqueue -p and -j with defer
// reasons: the "(reason)" line right-aligned to column 78 above the
// recipients that share it, as Postfix's showq prints it; delay_reason in
// the JSON; and no reason where there is no defer log, or for a recipient
// already done.
#include "cmd/queue_tool_scan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

using namespace ferry;

namespace {

cmd::QueuedMessage deferred_message() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    cmd::QueuedMessage m;
    m.queue = "deferred";
    m.id = "4QvAAA";
    m.size = 2048;
    m.envelope.arrival_us = 1700000000ull * 1000000;
    m.envelope.sender = "alice@example.org";
    m.envelope.recipients = {{"a@example.net", "", 0, false},
                             {"b@example.net", "", 0, false},
                             {"c@example.com", "", 0, false},
                             {"done@example.com", "", 0, true},
                             {"fresh@example.com", "", 0, false}};
    m.reasons = {{"a@example.net", "", "4.4.1", "connection refused"},
                 {"b@example.net", "", "4.4.1", "connection refused"},
                 {"c@example.com", "", "4.3.0", "mail transport unavailable"},
                 {"done@example.com", "", "4.3.0", "stale"}};
    return m;
}

} // namespace

TEST(ListingReasons, ReasonLineAboveTheRecipientsThatShareIt) {
    std::string got = cmd::format_listing({deferred_message()}, false);
    const std::string pad(41, ' ');
    std::string want = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
                       "4QvAAA          2048 Tue Nov 14 22:13:20  alice@example.org\n" +
                       std::string(76 - 18, ' ') + "(connection refused)\n" + pad + "a@example.net\n" + pad +
                       "b@example.net\n" + std::string(76 - 26, ' ') + "(mail transport unavailable)\n" + pad +
                       "c@example.com\n" + pad + "fresh@example.com\n\n-- 2 Kbytes in 1 Request.\n";
    EXPECT_EQ(got, want);
}

TEST(ListingReasons, NoDeferLogMeansNoReasonLine) {
    auto m = deferred_message();
    m.reasons.clear();
    std::string got = cmd::format_listing({m}, false);
    EXPECT_EQ(got.find('('), std::string::npos);
    EXPECT_NE(got.find(std::string(41, ' ') + "a@example.net\n" + std::string(41, ' ') + "b@example.net\n"),
              std::string::npos);
}

TEST(ListingReasons, LongReasonIsNotPadded) {
    auto m = deferred_message();
    std::string reason(90, 'x');
    m.reasons = {{"a@example.net", "", "4.4.1", reason}};
    std::string got = cmd::format_listing({m}, false);
    EXPECT_NE(got.find("alice@example.org\n(" + reason + ")\n"), std::string::npos);
}

TEST(ListingReasons, JsonHasDelayReasonOnlyWhereKnown) {
    std::string got = cmd::format_json({deferred_message()});
    EXPECT_NE(got.find("\"recipients\": [{\"address\": \"a@example.net\", \"delay_reason\": \"connection refused\"}, "
                       "{\"address\": \"b@example.net\", \"delay_reason\": \"connection refused\"}, "
                       "{\"address\": \"c@example.com\", \"delay_reason\": \"mail transport unavailable\"}, "
                       "{\"address\": \"fresh@example.com\"}]}\n"),
              std::string::npos)
        << got;
    EXPECT_EQ(got.find("done@example.com"), std::string::npos);
}
