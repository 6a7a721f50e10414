// main_cf_edit_test.cpp - postconf -e, -# and -X keep comments and order.
#include "config/main_cf.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

using ferry::config::Edit;
using ferry::config::edit_main_cf;

namespace {
const char *text = "# head\nmyorigin = a\n  b\n# keep\nrelayhost = r\n";
}

TEST(MainCfEdit, ReplacesSettingInPlaceWithItsContinuation) {
    EXPECT_EQ(edit_main_cf(text, Edit::set, {{"myorigin", "new"}}),
              "# head\nmyorigin = new\n# keep\nrelayhost = r\n");
}

TEST(MainCfEdit, AppendsUnknownSettingAtEnd) {
    EXPECT_EQ(edit_main_cf(text, Edit::set, {{"mydomain", "d"}}),
              "# head\nmyorigin = a\n  b\n# keep\nrelayhost = r\nmydomain = d\n");
}

TEST(MainCfEdit, CommentsOutSettingAndContinuation) {
    EXPECT_EQ(edit_main_cf(text, Edit::comment, {{"myorigin", ""}}),
              "# head\n#myorigin = a\n#  b\n# keep\nrelayhost = r\n");
}

TEST(MainCfEdit, RemovesSettingAndContinuation) {
    EXPECT_EQ(edit_main_cf(text, Edit::remove, {{"myorigin", ""}}), "# head\n# keep\nrelayhost = r\n");
}

TEST(MainCfEdit, KeepsCommentsInsideContinuation) {
    EXPECT_EQ(edit_main_cf("a = 1\n\n# c\n  2\nb = 3\n", Edit::comment, {{"a", ""}}),
              "#a = 1\n\n# c\n#  2\nb = 3\n");
    EXPECT_EQ(edit_main_cf("a = 1\n\n# c\n  2\nb = 3\n", Edit::remove, {{"a", ""}}), "\n# c\nb = 3\n");
}

TEST(MainCfEdit, ChangesEveryEntryAndWarns) {
    testing::internal::CaptureStderr();
    auto out = edit_main_cf("a = 1\nb = 2\na = 3\n", Edit::set, {{"a", "9"}}, "/x/main.cf");
    auto err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(out, "a = 9\nb = 2\na = 9\n");
    EXPECT_NE(err.find("warning: /x/main.cf: multiple entries for \"a\""), std::string::npos) << err;
}

TEST(MainCfEdit, DropsTextAfterNulLikePostfix) {
    EXPECT_EQ(edit_main_cf(std::string_view("x = 1\0junk\na = 2\n", 17), Edit::remove, {{"a", ""}}), "x = 1\n");
}

TEST(MainCfEdit, LeavesCommentedSettingAlone) {
    EXPECT_EQ(edit_main_cf("#myorigin = a\n", Edit::remove, {{"myorigin", ""}}), "#myorigin = a\n");
}

TEST(MainCfEdit, ReplaceFileSwapsContentAtomically) {
    auto dir = std::filesystem::temp_directory_path() / ("ferry-edit-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / "main.cf").string();
    std::ofstream(path) << "old\n";
    ferry::config::replace_file(path, "new\n");
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    EXPECT_EQ(s.str(), "new\n");
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    std::filesystem::remove_all(dir);
}
