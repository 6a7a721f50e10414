// module_fixture.h - drive maps-regexp.so through the C ABI in tests.
//
// Loads the built module with dlopen (as the core does), writes table text
// to a temporary file, opens it with a host whose log() records warnings,
// and wraps lookups so a test reads like the table it checks.
#pragma once

#include <ferry/plugin.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace regexp_test {

struct Answer {
    int status = FERRY_NOTFOUND;
    std::string value;
    std::string error;
};

class ModuleTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    void TearDown() override;

    const ferry_module *module() const;
    const ferry_map_ops *ops(const std::string &type) const;

    // Writes text to a fresh file and returns its path.
    std::string write_table(const std::string &text);
    // Opens TYPE with table text; fails the test when open fails.
    void *open(const std::string &type, const std::string &text,
               unsigned flags = FERRY_MAP_READ);
    // Opens a file by name; returns NULL and sets open_error on failure.
    void *open_file(const std::string &type, const std::string &path,
                    unsigned flags = FERRY_MAP_READ);
    Answer lookup(void *handle, const std::string &key);
    // Value or "<notfound>"/"<tempfail>" for compact expectations.
    std::string get(void *handle, const std::string &key);

    // Warnings logged since the last open (host log, level WARNING).
    std::vector<std::string> warnings;
    std::string open_error;
    std::string last_path;

private:
    std::vector<std::pair<void *, std::string>> handles_;
    std::vector<std::string> files_;
};

} // namespace regexp_test
