// table_watch_test.cpp - the master's watch over table files: which files
// a configuration names, and when a change is reported.
#include "config/config.h"
#include "master/table_watch.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ferry {
namespace {

class TableWatchTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (std::filesystem::temp_directory_path() / "ferry-watch-XXXXXX").string();
        dir_ = ::mkdtemp(tmpl.data());
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string path(const std::string &name) const { return (dir_ / name).string(); }
    void write(const std::string &name, const std::string &text) const {
        std::ofstream(path(name), std::ios::trunc) << text;
    }
    std::filesystem::path dir_;
};

TEST_F(TableWatchTest, WatchesTableFilesAndWhatPostmapBuilds) {
    Config cfg = Config::from_text("alias_maps = hash:" + path("aliases") + "\n" +
                                       "smtpd_client_restrictions = check_client_access cidr:" + path("clients") +
                                       ", permit\n" +
                                       "mydestination = localhost, proxy:regexp:" + path("dest") + "\n" +
                                       "local_recipient_maps = proxy:unix:passwd.byname inline:{a=b}\n",
                                   "smtp inet n - y - - smtpd -o relay_domains=texthash:" + path("relay") + "\n",
                                   dir_.string());
    master::TableWatch watch;
    watch.reset(cfg);
    auto files = watch.files();
    EXPECT_EQ(files[path("aliases")], "hash:" + path("aliases"));
    EXPECT_EQ(files[path("aliases.db")], "hash:" + path("aliases"));
    EXPECT_EQ(files[path("clients")], "cidr:" + path("clients"));
    EXPECT_EQ(files[path("dest")], "regexp:" + path("dest"));
    EXPECT_EQ(files[path("relay")], "texthash:" + path("relay"));
    EXPECT_EQ(files.count(path("clients.db")), 0u);
    for (const auto &[file, table] : files)
        EXPECT_EQ(table.find("unix:"), std::string::npos) << file << " is not a file table";
}

TEST_F(TableWatchTest, ReportsAChangeOnceTheFileIsStable) {
    write("clients", "127.0.0.1 OK\n");
    Config cfg = Config::from_text("smtpd_client_restrictions = check_client_access cidr:" + path("clients") + "\n",
                                   "", dir_.string());
    master::TableWatch watch;
    watch.reset(cfg);
    EXPECT_EQ(watch.changed(), "") << "nothing changed";
    write("clients", "127.0.0.1 REJECT\n10.0.0.0/8 OK\n");
    EXPECT_EQ(watch.changed(), "") << "seen changing: not yet stable";
    EXPECT_EQ(watch.changed(), "cidr:" + path("clients"));
    watch.reset(cfg);
    EXPECT_EQ(watch.changed(), "") << "after a restart the new version is the settled one";
    std::filesystem::remove(path("clients"));
    EXPECT_EQ(watch.changed(), "");
    EXPECT_EQ(watch.changed(), "cidr:" + path("clients")) << "a removed file is a change too";
}

} // namespace
} // namespace ferry
