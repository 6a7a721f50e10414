// queue_test_util.h - a scratch directory per test, and small file helpers.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <cstdlib>

namespace ferry::test {

class ScratchDir {
public:
    ScratchDir() : ScratchDir(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "") {}
    // In `base` (empty: /tmp).
    explicit ScratchDir(const std::string &base) {
        std::string tmpl = (base.empty() ? std::string("/tmp") : base) + "/ferry-queue-XXXXXX";
        if (!::mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp " << tmpl;
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string &path() const { return path_; }
    std::string operator/(const std::string &name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline std::string read_whole(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline void write_whole(const std::string &path, const std::string &data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

inline size_t count_files(const std::string &dir) {
    size_t n = 0;
    for ([[maybe_unused]] auto &e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
}

} // namespace ferry::test
