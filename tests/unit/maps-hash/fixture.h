// fixture.h - load maps-hash.so with dlopen and call its C ABI directly, the
// way the core's module host does, plus helpers to run the real Postfix.
#pragma once

#include <ferry/plugin.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace maps_hash_test {

// The module, loaded once per test program.
const ferry_module &module();
const ferry_map_ops &ops(const std::string &type);

// A host whose log lines are kept for inspection and whose parameters are
// unknown (so the module uses Postfix's defaults).
const ferry_host *host();
std::vector<std::string> &log_lines();

// What the core passes for postmap's defaults.
inline constexpr unsigned lookup_flags =
    FERRY_MAP_READ | FERRY_MAP_FOLD | FERRY_MAP_TRY0NULL | FERRY_MAP_TRY1NULL;
inline constexpr unsigned create_flags = FERRY_MAP_READ | FERRY_MAP_WRITE |
                                         FERRY_MAP_CREATE | FERRY_MAP_FOLD |
                                         FERRY_MAP_TRY0NULL |
                                         FERRY_MAP_TRY1NULL |
                                         FERRY_MAP_DUP_WARN;

// One open table; closes on destruction.
class Table {
public:
    Table(const std::string &type, const std::string &name, unsigned flags);
    ~Table();
    Table(const Table &) = delete;
    Table &operator=(const Table &) = delete;

    bool ok() const { return handle_ != nullptr; }
    const std::string &error() const { return error_; } // open or last op

    int lookup(const std::string &key, std::string *value = nullptr);
    std::string value_of(const std::string &key); // "" when absent
    int update(const std::string &key, const std::string &value);
    int remove(const std::string &key);
    int sequence(int how, std::string &key, std::string &value);
    std::map<std::string, std::string> all(); // via sequence
    int commit();
    void close();

private:
    const ferry_map_ops &ops_;
    void *handle_ = nullptr;
    std::string error_;
};

// Build a committed table from (key, value) pairs with create_flags | extra
// minus `without`.
void build(const std::string &type, const std::string &name,
           const std::vector<std::pair<std::string, std::string>> &entries,
           unsigned extra = 0, unsigned without = 0);

// Raw records of a .db file as stored, NUL bytes included (libdb direct).
std::map<std::string, std::string> raw_records(const std::string &type,
                                               const std::string &db_file);
// Write raw records into a new .db file (to craft mixed conventions).
void write_raw(const std::string &type, const std::string &db_file,
               const std::map<std::string, std::string> &records);

// A fresh directory per test, removed afterwards.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string &path() const { return path_; }
    std::string operator/(const std::string &name) const {
        return path_ + "/" + name;
    }
    std::vector<std::string> entries() const; // file names, sorted

private:
    std::string path_;
};

// A child process's exit status and output.
struct RunResult {
    int status = -1; // exit code, or -1 when it did not exit normally
    std::string out;
    std::string err;
};
// stdin_path, when given, is the child's standard input.
RunResult run(const std::vector<std::string> &argv,
              const std::string &stdin_path = "");

void write_file(const std::string &path, const std::string &text);

} // namespace maps_hash_test
