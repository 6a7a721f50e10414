// module_fixture.cpp - see module_fixture.h.
#include "module_fixture.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace regexp_test {

namespace {

const ferry_module *g_module = nullptr;
std::vector<std::string> *g_warnings = nullptr;

void record_log(void *, int level, const char *message) {
    if (g_warnings && level == FERRY_LOG_WARNING)
        g_warnings->push_back(message);
}

void append(void *ctx, const char *data, size_t len) {
    static_cast<std::string *>(ctx)->append(data, len);
}

ferry_host make_host() {
    ferry_host h{};
    h.size = sizeof(h);
    h.abi_major = FERRY_ABI_MAJOR;
    h.abi_minor = FERRY_ABI_MINOR;
    h.log = record_log;
    return h;
}

} // namespace

void ModuleTest::SetUpTestSuite() {
    if (g_module)
        return;
    void *dl = dlopen(MAPS_REGEXP_MODULE, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(dl, nullptr) << dlerror();
    auto entry = reinterpret_cast<ferry_module_entry_fn>(dlsym(dl, FERRY_MODULE_ENTRY));
    ASSERT_NE(entry, nullptr);
    g_module = entry();
}

void ModuleTest::TearDown() {
    for (auto &[h, type] : handles_)
        ops(type)->close(h);
    handles_.clear();
    for (const std::string &f : files_)
        unlink(f.c_str());
    files_.clear();
    g_warnings = nullptr;
}

const ferry_module *ModuleTest::module() const { return g_module; }

const ferry_map_ops *ModuleTest::ops(const std::string &type) const {
    for (uint32_t i = 0; i < g_module->map_type_count; ++i)
        if (type == g_module->map_types[i].type)
            return g_module->map_types[i].ops;
    return nullptr;
}

std::string ModuleTest::write_table(const std::string &text) {
    char path[] = "/tmp/ferry-regexp-test-XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    std::ofstream(path, std::ios::binary) << text;
    files_.push_back(path);
    return path;
}

void *ModuleTest::open_file(const std::string &type, const std::string &path,
                            unsigned flags) {
    warnings.clear();
    g_warnings = &warnings;
    ferry_host host = make_host();
    char err[512] = "";
    void *h = ops(type)->open(type.c_str(), path.c_str(), flags, &host, err, sizeof(err));
    open_error = err;
    if (h)
        handles_.push_back({h, type});
    return h;
}

void *ModuleTest::open(const std::string &type, const std::string &text, unsigned flags) {
    last_path = write_table(text);
    void *h = open_file(type, last_path, flags);
    EXPECT_NE(h, nullptr) << open_error;
    return h;
}

Answer ModuleTest::lookup(void *handle, const std::string &key) {
    Answer a;
    ferry_sink sink{&a.value, append};
    char err[512] = "";
    const std::string &type = [&]() -> const std::string & {
        for (auto &[h, t] : handles_)
            if (h == handle)
                return t;
        static const std::string none;
        return none;
    }();
    a.status = ops(type.empty() ? "regexp" : type)
                   ->lookup(handle, key.data(), key.size(), &sink, err, sizeof(err));
    a.error = err;
    return a;
}

std::string ModuleTest::get(void *handle, const std::string &key) {
    Answer a = lookup(handle, key);
    if (a.status == FERRY_NOTFOUND)
        return "<notfound>";
    if (a.status != FERRY_FOUND)
        return "<tempfail>";
    return a.value;
}

} // namespace regexp_test
