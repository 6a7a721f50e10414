// Queue ids: unique, Postfix long-id shaped, accepted by pflogsumm's
// patterns, and validated before they name a file.
#include "queue/queue_id.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <thread>
#include <unordered_set>

using namespace ferry::queue;

TEST(QueueId, TwoHundredThousandIdsAreUnique) {
    std::unordered_set<std::string> seen;
    seen.reserve(200000);
    for (int i = 0; i < 200000; ++i) ASSERT_TRUE(seen.insert(new_queue_id()).second) << i;
}

TEST(QueueId, IdsFromManyThreadsAreUnique) {
    constexpr int threads = 8, each = 20000;
    std::vector<std::vector<std::string>> ids(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&ids, t] {
            for (int i = 0; i < each; ++i) ids[t].push_back(new_queue_id());
        });
    for (auto &th : pool) th.join();
    std::unordered_set<std::string> seen;
    for (auto &v : ids)
        for (auto &id : v) ASSERT_TRUE(seen.insert(id).second) << id;
    EXPECT_EQ(seen.size(), size_t{threads * each});
}

TEST(QueueId, HasPostfixLongIdShape) {
    std::string id = new_queue_id();
    EXPECT_EQ(id.size(), queue_id_length);
    // 10 time digits (base 52), 'z', then base-51 digits (no 'z'); digits
    // and consonants only.
    const std::string base52 = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    for (size_t i = 0; i < 10; ++i) EXPECT_NE(base52.find(id[i]), std::string::npos) << id;
    EXPECT_EQ(id[10], 'z') << id;
    for (size_t i = 11; i < id.size(); ++i) {
        EXPECT_NE(base52.find(id[i]), std::string::npos) << id;
        EXPECT_NE(id[i], 'z') << id;
    }
    EXPECT_TRUE(is_ferry_queue_id(id));
    EXPECT_TRUE(is_valid_queue_id(id));
}

TEST(QueueId, MatchesPflogsummQueueIdPatterns) {
    // pflogsumm (1.1.5) takes the id as [^:\s]+ after "postfix/smtpd: ",
    // and as \w+ (letters, digits, '_') on "client=" lines.
    for (int i = 0; i < 1000; ++i) {
        std::string id = new_queue_id();
        for (char c : id) {
            bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
            ASSERT_TRUE(word) << id;
            ASSERT_TRUE(c != ':' && !std::isspace(static_cast<unsigned char>(c))) << id;
        }
    }
}

TEST(QueueId, EncodesArrivalTime) {
    auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count());
    std::uint64_t t = queue_id_time_us(new_queue_id());
    EXPECT_GE(t + 1000000, now);
    EXPECT_LE(t, now + 1000000);
}

TEST(QueueId, LaterIdsSortAfterEarlierOnesInTheTimePart) {
    std::string a = new_queue_id(), b = new_queue_id();
    EXPECT_LT(queue_id_time_us(a), queue_id_time_us(b));
}

TEST(QueueId, AcceptsPostfixShortAndLongIds) {
    EXPECT_TRUE(is_valid_queue_id("3F5A2C1B9D"));     // short, hex
    EXPECT_TRUE(is_valid_queue_id("4Qv2Xb1Zm4zG7jX")); // long form
}

TEST(QueueId, RejectsIdsThatCouldEscapeOrNameATempFile) {
    EXPECT_FALSE(is_valid_queue_id(""));
    EXPECT_FALSE(is_valid_queue_id("../etc/passwd"));
    EXPECT_FALSE(is_valid_queue_id("a/b"));
    EXPECT_FALSE(is_valid_queue_id("."));
    EXPECT_FALSE(is_valid_queue_id(new_queue_id() + ".tmp"));
    EXPECT_FALSE(is_valid_queue_id("ABC DEF"));
    EXPECT_FALSE(is_valid_queue_id("ABC:"));
    EXPECT_FALSE(is_valid_queue_id(std::string("AB\0C", 4)));
    EXPECT_FALSE(is_valid_queue_id("\xc3\xa9t\xc3\xa9"));
    EXPECT_FALSE(is_valid_queue_id(std::string(queue_id_max_length + 1, 'A')));
    EXPECT_TRUE(is_valid_queue_id(std::string(queue_id_max_length, 'A')));
}

TEST(QueueId, StrictShapeCheckRejectsNearMisses) {
    std::string id = new_queue_id();
    EXPECT_FALSE(is_ferry_queue_id(id.substr(1)));
    std::string no_sep = id;
    no_sep[10] = 'y';
    EXPECT_FALSE(is_ferry_queue_id(no_sep));
    std::string vowel = id;
    vowel[0] = 'A';
    EXPECT_FALSE(is_ferry_queue_id(vowel));
    std::string z_in_random = id;
    z_in_random[15] = 'z';
    EXPECT_FALSE(is_ferry_queue_id(z_in_random));
    // Microsecond digits encoding a value of a million or more.
    std::string big_us = id;
    big_us.replace(6, 4, "zzzz");
    EXPECT_FALSE(is_ferry_queue_id(big_us));
    EXPECT_EQ(queue_id_time_us(big_us), 0u);
}
