// proxy_table_test.cpp - proxy: tables: proxy_read_maps approval, the
// in-process path, and the proxymap protocol between a client map and a
// ProxyServer on a real UNIX-domain socket.
#include "maps/catalog.h"
#include "maps/proxy_table.h"
#include "master/listen.h"
#include "temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

namespace ferry::test {
namespace {

using ::testing::HasSubstr;

CatalogOptions with_params(std::map<std::string, std::string> params) {
    CatalogOptions o;
    o.registry_dir = "/nonexistent";
    o.param = [params](std::string_view name) -> std::optional<std::string> {
        auto it = params.find(std::string(name));
        if (it == params.end()) return std::nullopt;
        return it->second;
    };
    return o;
}

TEST(ProxyApproval, OnlyItemsWithProxyPrefixAreApproved) {
    auto approved = approved_proxy_tables("proxy:unix:passwd.byname hash:/etc/aliases,\n"
                                          "proxy:proxy:cidr:/etc/x.cidr proxy:nocolon");
    EXPECT_EQ(approved, (std::set<std::string, std::less<>>{"cidr:/etc/x.cidr", "unix:passwd.byname"}));
    EXPECT_TRUE(approved_proxy_tables("").empty());
}

TEST(ProxyTable, ApprovedTableIsOpenedInProcessOutsideAChroot) {
    MapCatalog catalog(with_params({{"proxy_read_maps", "proxy:static:yes"}}));
    auto opened = catalog.open("proxy:static:yes", map_flags::lookup_default);
    ASSERT_TRUE(opened.map) << opened.error;
    auto r = opened.map->lookup("anything");
    EXPECT_TRUE(r.is_found());
    EXPECT_EQ(r.value, "yes");
}

TEST(ProxyTable, UnapprovedTableIsRefusedWithPostfixText) {
    MapCatalog catalog(with_params({{"proxy_read_maps", "proxy:static:yes static:no"}}));
    auto opened = catalog.open("proxy:static:no", map_flags::lookup_default);
    EXPECT_FALSE(opened.map);
    EXPECT_EQ(opened.error, "proxymap service is not configured for table \"static:no\"");
    auto bad = catalog.open("proxy:nocolon", map_flags::lookup_default);
    EXPECT_FALSE(bad.map);
    EXPECT_THAT(bad.error, HasSubstr("expecting \"type:name\" form"));
}

// A proxymap service on a socket in a scratch directory: each connection
// is served by a ProxyServer until the client closes it, or, with
// `one_lookup`, closed after one answer (as a proxymap that exits).
class Service {
public:
    explicit Service(std::set<std::string, std::less<>> approved, bool one_lookup = false)
        : catalog_(with_params({})), approved_(std::move(approved)), one_lookup_(one_lookup) {
        std::string why;
        listener_ = master::open_unix_listener(path(), 10, static_cast<uid_t>(-1), why);
        EXPECT_GE(listener_, 0) << why;
        thread_ = std::thread([this] { run(); });
    }
    ~Service() {
        stop_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        ::close(listener_);
    }
    std::string path() const { return (dir_.path() / "proxymap").string(); }
    int connections() const { return connections_; }

private:
    void run() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) continue;
            ++connections_;
            if (one_lookup_) {
                char buf[4096];
                (void)::recv(fd, buf, sizeof buf, 0);
                ::send(fd, "found\0once\0", 11, MSG_NOSIGNAL);
            } else {
                ProxyServer server(catalog_, approved_);
                server.serve(fd);
            }
            ::close(fd);
        }
    }

    TempDir dir_;
    MapCatalog catalog_;
    std::set<std::string, std::less<>> approved_;
    bool one_lookup_;
    int listener_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

// What the service answers to raw `request` bytes.
std::string raw_exchange(const std::string &socket, const std::string &request) {
    std::string why;
    int fd = master::connect_unix(socket, why);
    EXPECT_GE(fd, 0) << why;
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
}

TEST(ProxyService, ClientMapLooksUpThroughTheService) {
    Service service({"inline:{a=b}"});
    OpenedMap opened = open_proxy_table("inline:{a=b}", true, service.path(), 10,
                                        *std::make_unique<MapCatalog>(with_params({})), map_flags::lookup_default);
    ASSERT_TRUE(opened.map) << opened.error;
    EXPECT_EQ(opened.map->spec(), "proxy:inline:{a=b}");
    EXPECT_TRUE(opened.map->may_block());
    auto found = opened.map->lookup("a");
    EXPECT_TRUE(found.is_found());
    EXPECT_EQ(found.value, "b");
    EXPECT_EQ(opened.map->lookup("zz").status, LookupStatus::NotFound);
    EXPECT_EQ(opened.map->lookup("A").value, "b"); // the service's table folds case
    EXPECT_EQ(service.connections(), 1) << "one connection kept for every lookup";
}

TEST(ProxyService, CatalogUsesTheServiceWhenOneIsSet) {
    Service service({"static:served"});
    set_proxy_service(service.path());
    MapCatalog catalog(with_params({{"proxy_read_maps", "proxy:static:served"}}));
    auto opened = catalog.open("proxy:static:served", map_flags::lookup_default);
    set_proxy_service("");
    ASSERT_TRUE(opened.map) << opened.error;
    EXPECT_EQ(opened.map->type(), "proxy");
    EXPECT_EQ(opened.map->lookup("k").value, "served");
    EXPECT_EQ(service.connections(), 1);
}

TEST(ProxyService, RefusesUnapprovedTablesAndBadRequests) {
    Service service({"static:yes"});
    EXPECT_EQ(raw_exchange(service.path(), std::string("lookup\0static:yes\0k\0", 20)), std::string("found\0yes\0", 10));
    EXPECT_EQ(raw_exchange(service.path(), std::string("lookup\0static:no\0k\0", 19)), std::string("deny\0\0", 6));
    EXPECT_EQ(raw_exchange(service.path(), std::string("lookup\0nocolon\0k\0", 17)), std::string("bad\0\0", 5));
    EXPECT_EQ(raw_exchange(service.path(), std::string("delete\0static:yes\0k\0", 20)), std::string("bad\0\0", 5));
    // A half request: no answer, the connection is closed.
    EXPECT_EQ(raw_exchange(service.path(), std::string("lookup\0static:yes", 17)), "");
}

TEST(ProxyService, ClientSeesDenialAsTemporaryFailure) {
    Service service({});
    OpenedMap opened = open_proxy_table("static:yes", true, service.path(), 10,
                                        *std::make_unique<MapCatalog>(with_params({})), map_flags::lookup_default);
    ASSERT_TRUE(opened.map);
    auto r = opened.map->lookup("k");
    EXPECT_TRUE(r.is_temp_fail());
    EXPECT_EQ(r.reason, "proxymap service is not configured for table \"static:yes\"");
}

TEST(ProxyService, ReconnectsWhenTheServiceClosedAKeptConnection) {
    Service service({}, /*one_lookup=*/true);
    MapCatalog catalog(with_params({}));
    OpenedMap opened = open_proxy_table("static:x", true, service.path(), 10, catalog, map_flags::lookup_default);
    ASSERT_TRUE(opened.map);
    EXPECT_EQ(opened.map->lookup("k").value, "once");
    EXPECT_EQ(opened.map->lookup("k").value, "once");
    EXPECT_EQ(service.connections(), 2) << "the closed connection was replaced";
}

TEST(ProxyService, NoServiceIsATemporaryFailureNamingTheSocket) {
    TempDir dir;
    std::string socket = (dir.path() / "proxymap").string();
    MapCatalog catalog(with_params({}));
    OpenedMap opened = open_proxy_table("static:x", true, socket, 10, catalog, map_flags::lookup_default);
    ASSERT_TRUE(opened.map);
    auto r = opened.map->lookup("k");
    EXPECT_TRUE(r.is_temp_fail());
    EXPECT_THAT(r.reason, HasSubstr("connect to " + socket + ": No such file or directory"));
}

} // namespace
} // namespace ferry::test
