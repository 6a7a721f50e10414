// transport_host_test.cpp - what the transport host promises whatever a
// module does: every recipient gets a result, a failed request defers what
// the module did not finish, and malformed reports are checked.
#include "module/transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using ferry::module::DeliveryRequest;
using ferry::module::DeliveryStatus;
using ferry::module::TransportHost;
using testing::HasSubstr;

namespace {

class TransportHostTest : public testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/ferry-transport-test.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        registry_ = pattern;
        std::ofstream conf(registry_ / "test.conf");
        for (const char *name : {"partial", "failing", "liar", "refuses"})
            conf << "transport " << name << " " << FERRY_TEST_TRANSPORTS << "\n";
        conf.close();
        auto options = ferry::default_catalog_options();
        options.registry_dir = registry_;
        host_ = std::make_unique<TransportHost>(options);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(registry_, ec);
    }

    std::vector<ferry::module::RecipientResult> deliver(const char *transport, size_t count) {
        auto opened = host_->open(transport, transport, {});
        EXPECT_NE(opened.transport, nullptr) << opened.error;
        if (!opened.transport) return {};
        DeliveryRequest r;
        r.queue_id = "4Xq1T2abcdz";
        r.sender = "s@example.net";
        for (size_t i = 0; i < count; ++i)
            r.recipients.push_back({"r" + std::to_string(i) + "@example.com", "", "", 0});
        return opened.transport->deliver(r);
    }

    fs::path registry_;
    std::unique_ptr<TransportHost> host_;
};

TEST_F(TransportHostTest, UnreportedRecipientsAreDeferred) {
    auto results = deliver("partial", 3);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].status, DeliveryStatus::Delivered);
    EXPECT_EQ(results[0].text, "ok");
    for (size_t i : {1u, 2u}) {
        EXPECT_EQ(results[i].status, DeliveryStatus::Deferred);
        EXPECT_EQ(results[i].dsn, "4.3.0");
        EXPECT_EQ(results[i].text, "delivery status unknown: transport partial (module "
                                   "test-transports.so) did not report this recipient");
    }
}

TEST_F(TransportHostTest, FailedRequestDefersWhatTheModuleDidNotFinish) {
    auto results = deliver("failing", 3);
    ASSERT_EQ(results.size(), 3u);
    // Already delivered stays delivered: deferring it would deliver twice.
    EXPECT_EQ(results[0].status, DeliveryStatus::Delivered);
    EXPECT_EQ(results[1].status, DeliveryStatus::Deferred);
    EXPECT_EQ(results[1].dsn, "4.2.1");
    EXPECT_EQ(results[1].text, "mailbox busy");
    EXPECT_EQ(results[2].status, DeliveryStatus::Deferred);
    EXPECT_EQ(results[2].dsn, "4.3.0");
    EXPECT_EQ(results[2].text, "failing: disk on fire");
}

TEST_F(TransportHostTest, MalformedReportsAreCheckedNotTrusted) {
    auto results = deliver("liar", 2);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].status, DeliveryStatus::Delivered);
    EXPECT_EQ(results[0].dsn, "2.0.0"); // "4.0.0" does not fit "delivered"
    EXPECT_EQ(results[0].text, "mixed up");
    EXPECT_EQ(results[1].status, DeliveryStatus::Deferred);
    EXPECT_EQ(results[1].dsn, "4.3.0");
    EXPECT_THAT(results[1].text, HasSubstr("invalid delivery status 7"));
}

TEST_F(TransportHostTest, OpenFailureNamesTheModuleFile) {
    auto opened = host_->open("refuses", "refuses", {});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("transport refuses: cannot open with module "));
    EXPECT_THAT(opened.error, HasSubstr("test-transports.so: refuses: not today"));
}

TEST_F(TransportHostTest, MissingModuleFileIsNamed) {
    std::ofstream(registry_ / "zz.conf") << "transport ghost /nonexistent/ghost.so\n";
    auto options = ferry::default_catalog_options();
    options.registry_dir = registry_;
    TransportHost host(options);
    auto opened = host.open("ghost", "ghost", {});
    EXPECT_EQ(opened.transport, nullptr);
    EXPECT_THAT(opened.error, HasSubstr("transport ghost: /nonexistent/ghost.so: module file not found"));
}

} // namespace
