// Tests for the DATA decoder: end of data, dot-unstuffing, line endings,
// and byte-by-byte splitting.
#include <gtest/gtest.h>

#include "smtpd/data_reader.h"

using namespace ferry::smtpd;

namespace {
struct Decoded {
    std::string content;
    DataReader::Status status;
    std::size_t consumed;
};
Decoded decode(std::string_view in, BareNewline mode = BareNewline::normal)
{
    DataReader r(mode);
    Decoded d;
    auto res = r.feed(in, d.content);
    d.status = res.status;
    d.consumed = res.consumed;
    return d;
}
// The same input one byte at a time must give the same result.
Decoded decode_bytewise(std::string_view in)
{
    DataReader r;
    Decoded d{"", DataReader::Status::more, 0};
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto res = r.feed(in.substr(i, 1), d.content);
        d.consumed += res.consumed;
        if (res.status != DataReader::Status::more) {
            d.status = res.status;
            break;
        }
    }
    return d;
}
} // namespace

TEST(DataReader, EndsAtCrLfDotCrLf)
{
    auto d = decode("Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(d.status, DataReader::Status::end);
    EXPECT_EQ(d.content, "Subject: x\r\n\r\nhi\r\n");
    EXPECT_EQ(d.consumed, std::string_view("Subject: x\r\n\r\nhi\r\n.\r\n").size());
}

TEST(DataReader, EmptyMessageEndsAtOnce)
{
    auto d = decode(".\r\n");
    EXPECT_EQ(d.status, DataReader::Status::end);
    EXPECT_EQ(d.content, "");
}

TEST(DataReader, RemovesLeadingDots)
{
    auto d = decode("..hidden\r\n.x\r\n.\r\n");
    EXPECT_EQ(d.content, ".hidden\r\nx\r\n");
}

TEST(DataReader, BareLfDotBareLfDoesNotEndData)
{
    auto d = decode("hi\n.\nMAIL FROM:<c@d>\r\n");
    EXPECT_EQ(d.status, DataReader::Status::more);
    EXPECT_EQ(d.content, "hi\r\n\r\nMAIL FROM:<c@d>\r\n");
}

TEST(DataReader, CrLfDotBareLfDoesNotEndData)
{
    auto d = decode("hi\r\n.\nMAIL FROM:<c@d>\r\n");
    EXPECT_EQ(d.status, DataReader::Status::more);
}

TEST(DataReader, BareLfDotCrLfDoesNotEndData)
{
    auto d = decode("hi\n.\r\nMAIL FROM:<c@d>\r\n");
    EXPECT_EQ(d.status, DataReader::Status::more);
}

TEST(DataReader, BareCrDotCrLfDoesNotEndData)
{
    auto d = decode("hi\r.\r\nMAIL FROM:<c@d>\r\n");
    EXPECT_EQ(d.status, DataReader::Status::more);
    EXPECT_EQ(d.content, "hi\r.\r\nMAIL FROM:<c@d>\r\n");
}

TEST(DataReader, PassesBareCrAndNul)
{
    std::string in("a\rb\0c\r\n.\r\n", 10);
    auto d = decode(in);
    EXPECT_EQ(d.status, DataReader::Status::end);
    EXPECT_EQ(d.content, std::string("a\rb\0c\r\n", 7));
}

TEST(DataReader, RejectModeStopsAtBareLf)
{
    auto d = decode("ok\r\nbad\nmore\r\n", BareNewline::reject);
    EXPECT_EQ(d.status, DataReader::Status::bare_lf);
    EXPECT_EQ(d.content, "ok\r\nbad");
}

TEST(DataReader, ByteAtATimeGivesSameResult)
{
    for (std::string_view in : {"a\r\n..b\r\n\r\n.\r\n", "x\n.\ny\r\n.\r\n", "x\r\r\n.\r\n", ".\r\n"}) {
        auto whole = decode(in);
        auto bytes = decode_bytewise(in);
        EXPECT_EQ(whole.content, bytes.content) << in;
        EXPECT_EQ(whole.status, bytes.status) << in;
        EXPECT_EQ(whole.consumed, bytes.consumed) << in;
    }
}

TEST(DataReader, OverlongLineStreamsThrough)
{
    std::string line(100000, 'x');
    auto d = decode(line + "\r\n.\r\n");
    EXPECT_EQ(d.status, DataReader::Status::end);
    EXPECT_EQ(d.content, line + "\r\n");
}
