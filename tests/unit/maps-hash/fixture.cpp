// fixture.cpp - dlopen the module, a recording host, temporary directories,
// raw libdb access and a subprocess runner for the maps-hash tests.
#include "fixture.h"

#include <db.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace maps_hash_test {

namespace {

std::string module_file() {
    // The build tells us where it put the module; FERRY_MODULE_PATH (set by
    // ferry_test_env) is the fallback for a test binary run elsewhere.
    std::string built = MAPS_HASH_MODULE;
    if (::access(built.c_str(), R_OK) == 0)
        return built;
    if (const char *path = std::getenv("FERRY_MODULE_PATH")) {
        std::string dirs = path;
        std::size_t start = 0;
        while (start <= dirs.size()) {
            std::size_t colon = dirs.find(':', start);
            std::string dir = dirs.substr(start, colon - start);
            std::string candidate = dir + "/maps-hash.so";
            if (!dir.empty() && ::access(candidate.c_str(), R_OK) == 0)
                return candidate;
            if (colon == std::string::npos)
                break;
            start = colon + 1;
        }
    }
    return built;
}

void record_log(void *, int level, const char *message) {
    static const char *names[] = {"info", "warning", "error", "fatal"};
    log_lines().push_back(std::string(level >= 0 && level <= 3 ? names[level] : "?") +
                          ": " + message);
}

int no_param(void *, const char *, ferry_sink *) { return 0; }

void append(void *ctx, const char *data, size_t len) {
    static_cast<std::string *>(ctx)->append(data, len);
}

} // namespace

const ferry_module &module() {
    static const ferry_module *loaded = [] {
        std::string file = module_file();
        void *lib = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr)
            throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
        auto entry = reinterpret_cast<ferry_module_entry_fn>(
            ::dlsym(lib, FERRY_MODULE_ENTRY));
        if (entry == nullptr)
            throw std::runtime_error(file + ": no " FERRY_MODULE_ENTRY);
        return entry();
    }();
    return *loaded;
}

const ferry_map_ops &ops(const std::string &type) {
    const ferry_module &m = module();
    for (uint32_t i = 0; i < m.map_type_count; ++i)
        if (type == m.map_types[i].type)
            return *m.map_types[i].ops;
    throw std::runtime_error("maps-hash does not provide " + type);
}

std::vector<std::string> &log_lines() {
    static std::vector<std::string> lines;
    return lines;
}

const ferry_host *host() {
    static const ferry_host h = {sizeof(ferry_host), FERRY_ABI_MAJOR,
                                 FERRY_ABI_MINOR,    nullptr, record_log,
                                 no_param,           nullptr};
    return &h;
}

Table::Table(const std::string &type, const std::string &name, unsigned flags)
    : ops_(ops(type)) {
    char err[512] = "";
    handle_ = ops_.open(type.c_str(), name.c_str(), flags, host(), err, sizeof err);
    if (handle_ == nullptr)
        error_ = err;
}

Table::~Table() { close(); }

void Table::close() {
    if (handle_ != nullptr)
        ops_.close(handle_);
    handle_ = nullptr;
}

int Table::lookup(const std::string &key, std::string *value) {
    std::string out;
    ferry_sink sink{&out, append};
    char err[512] = "";
    int status = ops_.lookup(handle_, key.data(), key.size(), &sink, err, sizeof err);
    error_ = err;
    if (value != nullptr)
        *value = out;
    return status;
}

std::string Table::value_of(const std::string &key) {
    std::string value;
    return lookup(key, &value) == FERRY_FOUND ? value : std::string();
}

int Table::update(const std::string &key, const std::string &value) {
    char err[512] = "";
    int status = ops_.update(handle_, key.data(), key.size(), value.data(),
                             value.size(), err, sizeof err);
    error_ = err;
    return status;
}

int Table::remove(const std::string &key) {
    char err[512] = "";
    int status = ops_.remove(handle_, key.data(), key.size(), err, sizeof err);
    error_ = err;
    return status;
}

int Table::sequence(int how, std::string &key, std::string &value) {
    key.clear();
    value.clear();
    ferry_sink ks{&key, append};
    ferry_sink vs{&value, append};
    char err[512] = "";
    int status = ops_.sequence(handle_, how, &ks, &vs, err, sizeof err);
    error_ = err;
    return status;
}

std::map<std::string, std::string> Table::all() {
    std::map<std::string, std::string> out;
    std::string k, v;
    for (int how = FERRY_SEQ_FIRST; sequence(how, k, v) == FERRY_FOUND;
         how = FERRY_SEQ_NEXT)
        out[k] = v;
    return out;
}

int Table::commit() {
    char err[512] = "";
    int status = ops_.commit(handle_, err, sizeof err);
    error_ = err;
    return status;
}

void build(const std::string &type, const std::string &name,
           const std::vector<std::pair<std::string, std::string>> &entries,
           unsigned extra, unsigned without) {
    Table t(type, name, (create_flags | extra) & ~without);
    ASSERT_TRUE(t.ok()) << t.error();
    for (const auto &[k, v] : entries)
        t.update(k, v);
    ASSERT_EQ(t.commit(), FERRY_FOUND) << t.error();
}

namespace {

DB *open_raw(const std::string &type, const std::string &db_file, u_int32_t flags) {
    DB *db = nullptr;
    if (::db_create(&db, nullptr, 0) != 0)
        throw std::runtime_error("db_create");
    int rc = db->open(db, nullptr, db_file.c_str(), nullptr,
                      type == "btree" ? DB_BTREE : DB_HASH, flags, 0644);
    if (rc != 0) {
        db->close(db, 0);
        throw std::runtime_error(db_file + ": " + ::db_strerror(rc));
    }
    return db;
}

} // namespace

std::map<std::string, std::string> raw_records(const std::string &type,
                                               const std::string &db_file) {
    DB *db = open_raw(type, db_file, DB_RDONLY);
    DBC *cursor = nullptr;
    db->cursor(db, nullptr, &cursor, 0);
    std::map<std::string, std::string> out;
    DBT k{}, v{};
    while (cursor->get(cursor, &k, &v, DB_NEXT) == 0)
        out[std::string(static_cast<char *>(k.data), k.size)] =
            std::string(static_cast<char *>(v.data), v.size);
    cursor->close(cursor);
    db->close(db, 0);
    return out;
}

void write_raw(const std::string &type, const std::string &db_file,
               const std::map<std::string, std::string> &records) {
    DB *db = open_raw(type, db_file, DB_CREATE | DB_TRUNCATE);
    for (const auto &[key, value] : records) {
        DBT k{}, v{};
        k.data = const_cast<char *>(key.data());
        k.size = static_cast<u_int32_t>(key.size());
        v.data = const_cast<char *>(value.data());
        v.size = static_cast<u_int32_t>(value.size());
        db->put(db, nullptr, &k, &v, 0);
    }
    db->close(db, 0);
}

TempDir::TempDir() {
    std::string base = std::filesystem::temp_directory_path() / "maps-hash-XXXXXX";
    std::vector<char> buf(base.begin(), base.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
    ::chmod(path_.c_str(), 0755); // a setuid child must be able to enter
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> TempDir::entries() const {
    std::vector<std::string> names;
    for (const auto &e : std::filesystem::directory_iterator(path_))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

RunResult run(const std::vector<std::string> &argv,
              const std::string &stdin_path) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) < 0 || ::pipe2(err_pipe, O_CLOEXEC) < 0)
        throw std::runtime_error("pipe");
    // Everything the child needs is prepared before fork: other threads
    // of a test may hold malloc's lock at that moment.
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    const char *input = stdin_path.empty() ? nullptr : stdin_path.c_str();
    pid_t pid = ::fork();
    if (pid == 0) {
        if (input != nullptr) {
            int in = ::open(input, O_RDONLY);
            if (in < 0 || ::dup2(in, 0) < 0)
                ::_exit(126);
        }
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    RunResult result;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string *sinks[2] = {&result.out, &result.err};
    int open_count = 2;
    while (open_count > 0) {
        if (::poll(fds, 2, -1) < 0)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char buf[4096];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<size_t>(n));
            } else {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
            }
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

} // namespace maps_hash_test
