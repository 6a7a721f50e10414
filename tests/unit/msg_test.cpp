// Diagnostics keep Postfix's "program: level: text" shape.
#include "log/msg.h"

#include <gtest/gtest.h>

using namespace ferry;

TEST(Msg, FatalThrowsInTestsWithItsText) {
    msg::throw_on_fatal(true);
    try {
        msg::fatal("open /etc/postfix/main.cf: No such file or directory");
        FAIL() << "fatal returned";
    } catch (const msg::FatalError &e) {
        EXPECT_EQ(e.text, "open /etc/postfix/main.cf: No such file or directory");
    }
}

TEST(Msg, WarningsAreCounted) {
    unsigned before = msg::warning_count();
    msg::warning("test warning");
    EXPECT_EQ(msg::warning_count(), before + 1);
}
