// maildir_transport_test.cpp - the transport host driving the real
// transport-maildir module, found through the registry (FERRY_REGISTRY_DIR)
// and the module path (FERRY_MODULE_PATH) the test environment sets.
#include "module/transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using ferry::module::DeliveryRecipient;
using ferry::module::DeliveryRequest;
using ferry::module::DeliveryStatus;
using ferry::module::RecipientResult;
using ferry::module::TransportHost;
using testing::HasSubstr;

namespace {

std::string read_file(const fs::path &p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_in(const fs::path &dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
    return out;
}

// time.M<usec>P<pid>Q<count>.host, the shape of a maildir file name.
bool maildir_name(const std::string &name) {
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
        return i > start;
    };
    auto literal = [&](char c) { return i < name.size() && name[i++] == c; };
    return digits() && literal('.') && literal('M') && digits() && literal('P') &&
           digits() && literal('Q') && digits() && literal('.') && i < name.size();
}

// A body with what a careless copy would damage: NUL, CR LF, 8-bit bytes,
// a line that looks like an mbox separator, and more than one read buffer.
std::string test_body() {
    std::string body = "Subject: test\nFrom: a@example.net\n\nline one\r\n";
    body += std::string("nul\0byte\n", 9);
    body += "From the start\n\xff\xfe 8-bit\n";
    for (int i = 0; body.size() < 200 * 1024; ++i)
        body += "filler line " + std::to_string(i) + "\n";
    body += "no newline at the end";
    return body;
}

class MaildirTransport : public testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/ferry-maildir-test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        root_ = pattern;
    }
    void TearDown() override {
        for (int fd : fds_) ::close(fd);
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    // A regular file holding `prefix` + `content`, positioned after prefix.
    int message_file(const std::string &content, const std::string &prefix = "") {
        fs::path p = root_ / ("message" + std::to_string(fds_.size()));
        std::ofstream(p, std::ios::binary) << prefix << content;
        int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(::lseek(fd, static_cast<off_t>(prefix.size()), SEEK_SET),
                  static_cast<off_t>(prefix.size()));
        fds_.push_back(fd);
        return fd;
    }

    std::unique_ptr<ferry::module::Transport> open(std::vector<std::string> argv) {
        auto opened = host_.open("maildir", "maildir", std::move(argv));
        EXPECT_NE(opened.transport, nullptr) << opened.error;
        return std::move(opened.transport);
    }

    DeliveryRequest request(int fd, uint64_t size,
                            std::vector<DeliveryRecipient> recipients) {
        DeliveryRequest r;
        r.queue_id = "4Xq1T2abcdz";
        r.sender = "sender@example.net";
        r.nexthop = "example.com";
        r.recipients = std::move(recipients);
        r.message_fd = fd;
        r.message_size = size;
        r.client = {"mx.example.net", "192.0.2.1", "mx.example.net", "ESMTP"};
        return r;
    }

    std::string directory_arg() const {
        return "directory=" + (root_ / "${domain}" / "${user}" / "Maildir").string() + "/";
    }

    fs::path maildir(const std::string &domain, const std::string &user) const {
        return root_ / domain / user / "Maildir";
    }

    fs::path root_;
    std::vector<int> fds_;
    TransportHost host_{ferry::default_catalog_options()};
};

TEST_F(MaildirTransport, DeliversToTwoRecipientsWithEnvelopeHeaders) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    const std::string body = test_body();
    int fd = message_file(body);
    auto results = transport->deliver(request(
        fd, body.size(),
        {{"Alice@Example.COM", "alias@example.com", "", 0},
         {"bob@example.org", "", "rfc822;bob@example.org", FERRY_DSN_NOTIFY_FAILURE}}));
    ASSERT_EQ(results.size(), 2u);
    for (const auto &r : results) {
        EXPECT_EQ(r.status, DeliveryStatus::Delivered) << r.text;
        EXPECT_EQ(r.dsn, "2.0.0");
        EXPECT_EQ(r.text, "delivered to maildir");
    }

    const std::vector<std::pair<fs::path, std::string>> expected = {
        {maildir("example.com", "alice"),
         "Return-Path: <sender@example.net>\nX-Original-To: alias@example.com\n"
         "Delivered-To: alice@example.com\n"},
        {maildir("example.org", "bob"),
         "Return-Path: <sender@example.net>\nDelivered-To: bob@example.org\n"},
    };
    for (const auto &[dir, headers] : expected) {
        auto delivered = files_in(dir / "new");
        ASSERT_EQ(delivered.size(), 1u) << dir;
        EXPECT_TRUE(maildir_name(delivered[0].filename().string()))
            << delivered[0];
        EXPECT_TRUE(read_file(delivered[0]) == headers + body) << delivered[0];
        EXPECT_TRUE(files_in(dir / "tmp").empty()) << dir;
        EXPECT_TRUE(fs::is_directory(dir / "cur")) << dir;
        EXPECT_EQ(fs::status(delivered[0]).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write);
    }
}

TEST_F(MaildirTransport, ReadsFromTheCurrentOffsetWithoutMovingIt) {
    auto transport = open({"maildir", directory_arg(), "original_recipient=no"});
    ASSERT_TRUE(transport);
    const std::string body = "Subject: offset\n\nbody\n";
    int fd = message_file(body + "trailing bytes beyond the declared size",
                          "queue file record header\n");
    const off_t before = ::lseek(fd, 0, SEEK_CUR);
    auto req = request(fd, body.size(), {{"carol@example.com", "orig@example.com", "", 0}});
    req.sender = ""; // the null sender
    auto results = transport->deliver(req);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].status, DeliveryStatus::Delivered) << results[0].text;
    EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), before);
    auto delivered = files_in(maildir("example.com", "carol") / "new");
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(read_file(delivered[0]),
              "Return-Path: <>\nDelivered-To: carol@example.com\n" + body);
}

TEST_F(MaildirTransport, CopiesAMessageFromAPipeOnceForAllRecipients) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    const std::string body = "Subject: pipe\n\nthrough a pipe\n";
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    fds_.push_back(p[0]);
    ASSERT_EQ(::write(p[1], body.data(), body.size()), static_cast<ssize_t>(body.size()));
    ::close(p[1]);
    auto results = transport->deliver(request(
        p[0], body.size(), {{"d@example.com", "", "", 0}, {"e@example.com", "", "", 0}}));
    ASSERT_EQ(results.size(), 2u);
    for (const char *user : {"d", "e"}) {
        auto delivered = files_in(maildir("example.com", user) / "new");
        ASSERT_EQ(delivered.size(), 1u) << user;
        EXPECT_EQ(read_file(delivered[0]), "Return-Path: <sender@example.net>\n"
                                           "Delivered-To: " + std::string(user) +
                                               "@example.com\n" + body);
    }
}

TEST_F(MaildirTransport, ListsTheTransportFromTheRegistry) {
    EXPECT_THAT(host_.transports(), testing::Contains("maildir"));
}

// ---------------------------------------------------------------- bad cases

TEST_F(MaildirTransport, UnknownTransportNamesTheRegistry) {
    auto opened = host_.open("nosuch", "nosuch", {"nosuch"});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("transport nosuch: unknown transport"));
    EXPECT_THAT(opened.error, HasSubstr(ferry::default_catalog_options().registry_dir.string()));
}

TEST_F(MaildirTransport, ModuleWithoutTheTransportNamesTheFile) {
    fs::path registry = root_ / "registry";
    fs::create_directory(registry);
    std::ofstream(registry / "wrong.conf") << "transport fax transport-maildir.so\n";
    auto options = ferry::default_catalog_options();
    options.registry_dir = registry;
    TransportHost host(options);
    auto opened = host.open("fax", "fax", {});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("transport-maildir.so does not provide transport \"fax\""));
    EXPECT_THAT(opened.error, HasSubstr("wrong.conf, line 1"));
}

TEST_F(MaildirTransport, OpenWithoutDirectoryFailsNamingTheModule) {
    auto opened = host_.open("maildir", "maildir", {"maildir"});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("transport-maildir.so"));
    EXPECT_THAT(opened.error, HasSubstr("no directory= argument"));
}

TEST_F(MaildirTransport, OpenRejectsUnknownArgumentsAndVariables) {
    auto opened = host_.open("maildir", "maildir", {"maildir", directory_arg(), "fsync=no"});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("unknown argument \"fsync=no\""));
    opened = host_.open("maildir", "maildir", {"maildir", "directory=/var/mail/${home}/"});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("unknown variable"));
    opened = host_.open("maildir", "maildir", {"maildir", "directory=Maildir/"});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("not an absolute path"));
}

// chmod does not stop root, so the unwritable Maildir is one whose parent is
// a regular file.  Only that recipient defers; the other is delivered.
TEST_F(MaildirTransport, UnusableDirectoryDefersThatRecipientOnly) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    std::ofstream(root_ / "blocked.example") << "not a directory\n";
    const std::string body = "Subject: x\n\nbody\n";
    int fd = message_file(body);
    auto results = transport->deliver(request(
        fd, body.size(), {{"u@blocked.example", "", "", 0}, {"u@ok.example", "", "", 0}}));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].status, DeliveryStatus::Deferred);
    EXPECT_EQ(results[0].dsn, "4.2.0");
    EXPECT_THAT(results[0].text, HasSubstr("create maildir directory " + (root_ / "blocked.example").string()));
    EXPECT_THAT(results[0].text, HasSubstr("Not a directory"));
    EXPECT_EQ(results[1].status, DeliveryStatus::Delivered) << results[1].text;
    EXPECT_EQ(files_in(maildir("ok.example", "u") / "new").size(), 1u);
}

TEST_F(MaildirTransport, MessageShorterThanDeclaredDefersAllAndLeavesNoFile) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    const std::string body = "Subject: cut\n\nthe rest went missing\n";
    int fd = message_file(body);
    auto results = transport->deliver(request(
        fd, body.size() + 100, {{"f@example.com", "", "", 0}, {"g@example.com", "", "", 0}}));
    ASSERT_EQ(results.size(), 2u);
    for (const auto &r : results) {
        EXPECT_EQ(r.status, DeliveryStatus::Deferred);
        EXPECT_EQ(r.dsn, "4.3.0");
        EXPECT_THAT(r.text, HasSubstr("fewer than the " + std::to_string(body.size() + 100)));
    }
    for (const char *user : {"f", "g"}) {
        EXPECT_TRUE(files_in(maildir("example.com", user) / "new").empty());
        EXPECT_TRUE(files_in(maildir("example.com", user) / "tmp").empty());
    }
}

TEST_F(MaildirTransport, ShortPipeDefersAndLeavesNoFile) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    fds_.push_back(p[0]);
    ASSERT_EQ(::write(p[1], "Subject: cut\n", 13), 13);
    ::close(p[1]);
    auto results = transport->deliver(request(p[0], 1000, {{"h@example.com", "", "", 0}}));
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].status, DeliveryStatus::Deferred);
    EXPECT_THAT(results[0].text, HasSubstr("ends after 13 of 1000 bytes"));
    EXPECT_TRUE(files_in(maildir("example.com", "h") / "new").empty());
}

TEST_F(MaildirTransport, LocalPartThatIsNotAFileNameBounces) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    const std::string body = "Subject: x\n\nbody\n";
    int fd = message_file(body);
    auto results = transport->deliver(request(
        fd, body.size(),
        {{"../../etc@example.com", "", "", 0}, {"..@example.com", "", "", 0},
         {"fine@example.com", "", "", 0}}));
    ASSERT_EQ(results.size(), 3u);
    for (int i : {0, 1}) {
        EXPECT_EQ(results[i].status, DeliveryStatus::Bounced);
        EXPECT_EQ(results[i].dsn, "5.1.3");
    }
    EXPECT_EQ(results[2].status, DeliveryStatus::Delivered) << results[2].text;
    EXPECT_FALSE(fs::exists(root_ / "etc"));
}

TEST_F(MaildirTransport, NoRecipientsIsNoWork) {
    auto transport = open({"maildir", directory_arg()});
    ASSERT_TRUE(transport);
    int fd = message_file("x\n");
    EXPECT_TRUE(transport->deliver(request(fd, 2, {})).empty());
}

} // namespace
