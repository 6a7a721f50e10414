// One maildrop file through pickup: a good one lands in incoming with the
// local Received: header and qualified addresses; a malformed one goes to
// corrupt/; an invalid name is never touched; a -bv request is kept, no
// other attribute of the untrusted file is.
#include "pickup/maildrop.h"
#include "pickup/pickup_file.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace ferry;

std::vector<std::string> names(const std::string &dir) {
    std::vector<std::string> out;
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *e = readdir(d))
            if (e->d_name[0] != '.') out.emplace_back(e->d_name);
        closedir(d);
    }
    return out;
}

class PickupFile : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/ferry-pickup-XXXXXX";
        top_ = mkdtemp(tmpl);
        ASSERT_TRUE(queue::create_queue_dirs(top_).ok());
        ctx_.queue_directory = top_;
        ctx_.myhostname = "mx.example.test";
        ctx_.myorigin = "example.test";
    }
    void TearDown() override { std::system(("rm -rf " + top_).c_str()); }

    std::string drop(const std::string &content, const std::map<std::string, std::string> &attributes = {}) {
        queue::Envelope env;
        env.other_attributes = attributes;
        env.sender = "alice";
        env.recipients.push_back({"bob@example.net", "", 0, false});
        pickup::MaildropWriter w;
        EXPECT_TRUE(w.open(top_, env, 0).ok());
        EXPECT_TRUE(w.append(content).ok());
        EXPECT_TRUE(w.finish().ok());
        return w.queue_id();
    }

    std::string top_;
    pickup::PickupContext ctx_;
};

TEST_F(PickupFile, QueuesAGoodFileThroughCleanup) {
    std::string id = drop("Subject: hi\n\nbody\n");
    auto r = pickup::pickup_file(ctx_, id);
    ASSERT_EQ(r.kind, pickup::PickupResult::Kind::queued);
    EXPECT_TRUE(names(top_ + "/maildrop").empty());
    queue::QueueFileReader reader;
    ASSERT_TRUE(reader.open(top_ + "/incoming/" + r.queue_id).ok());
    EXPECT_EQ(reader.envelope().sender, "alice@example.test");
    std::string content(reader.content_size(), '\0');
    ASSERT_EQ(pread(reader.fd(), content.data(), content.size(), static_cast<off_t>(reader.content_offset())),
              static_cast<ssize_t>(content.size()));
    std::string received = "Received: by mx.example.test (Postfix, from userid " + std::to_string(getuid()) +
                           ")\n\tid " + r.queue_id + "; ";
    EXPECT_EQ(content.rfind(received, 0), 0u) << content;
    EXPECT_NE(content.find("\nSubject: hi\n"), std::string::npos);
    EXPECT_NE(content.find("\nFrom: alice@example.test\n"), std::string::npos) << content;
    EXPECT_NE(content.find("\n\nbody\n"), std::string::npos);
    EXPECT_EQ(content.find('\r'), std::string::npos);
}

TEST_F(PickupFile, MovesAMalformedFileToCorrupt) {
    std::ofstream(top_ + "/maildrop/4QvBroken1z000000000000") << "garbage";
    auto r = pickup::pickup_file(ctx_, "4QvBroken1z000000000000");
    EXPECT_EQ(r.kind, pickup::PickupResult::Kind::corrupt);
    EXPECT_EQ(names(top_ + "/corrupt"), std::vector<std::string>{"4QvBroken1z000000000000"});
    ASSERT_FALSE(r.log.empty());
    EXPECT_TRUE(r.log[0].warning);
}

TEST_F(PickupFile, MovesASymlinkToCorruptWithoutFollowingIt) {
    ASSERT_EQ(symlink("/etc/passwd", (top_ + "/maildrop/4QvLink").c_str()), 0);
    auto r = pickup::pickup_file(ctx_, "4QvLink");
    EXPECT_EQ(r.kind, pickup::PickupResult::Kind::corrupt);
    EXPECT_TRUE(names(top_ + "/incoming").empty());
}

TEST_F(PickupFile, IgnoresNamesThatAreNotQueueIds) {
    std::ofstream(top_ + "/maildrop/x.tmp") << "garbage";
    auto r = pickup::pickup_file(ctx_, "x.tmp");
    EXPECT_EQ(r.kind, pickup::PickupResult::Kind::gone);
    EXPECT_EQ(names(top_ + "/maildrop"), std::vector<std::string>{"x.tmp"});
}

TEST_F(PickupFile, KeepsTheVerifyRequestButNoOtherAttribute) {
    std::string id = drop("", {{"trace_flags", "verify"}, {"forged", "1"}});
    auto r = pickup::pickup_file(ctx_, id);
    ASSERT_EQ(r.kind, pickup::PickupResult::Kind::queued);
    queue::QueueFileReader reader;
    ASSERT_TRUE(reader.open(top_ + "/incoming/" + r.queue_id).ok());
    const auto &attrs = reader.envelope().other_attributes;
    EXPECT_EQ(attrs.count("trace_flags") ? attrs.at("trace_flags") : "", "verify");
    EXPECT_EQ(attrs.count("forged"), 0u);
    EXPECT_EQ(attrs.count("submitter_uid"), 1u);
}

TEST_F(PickupFile, AnUnknownTraceFlagIsDropped) {
    std::string id = drop("Subject: x\n\nx\n", {{"trace_flags", "record"}});
    auto r = pickup::pickup_file(ctx_, id);
    ASSERT_EQ(r.kind, pickup::PickupResult::Kind::queued);
    queue::QueueFileReader reader;
    ASSERT_TRUE(reader.open(top_ + "/incoming/" + r.queue_id).ok());
    EXPECT_EQ(reader.envelope().other_attributes.count("trace_flags"), 0u);
}

TEST(Qualify, AddsOriginOnlyToBareNames) {
    EXPECT_EQ(pickup::qualify("jane", "example.test"), "jane@example.test");
    EXPECT_EQ(pickup::qualify("jane@x.org", "example.test"), "jane@x.org");
    EXPECT_EQ(pickup::qualify("", "example.test"), "");
}

} // namespace
