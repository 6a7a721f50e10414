// Fuzz: regexp: and pcre: table files through the maps-regexp module's C ABI.
// The first input byte picks the type; the rest is the table text.  Each
// table that opens is queried with a few fixed keys.
#include <ferry/plugin.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const ferry_module *load() {
    const char *path = std::getenv("FERRY_FUZZ_MODULE");
    void *h = dlopen(path ? path : "maps-regexp.so", RTLD_NOW);
    if (!h) {
        std::fprintf(stderr, "fuzz_regexp_table: %s\n", dlerror());
        std::abort();
    }
    auto entry = reinterpret_cast<ferry_module_entry_fn>(dlsym(h, FERRY_MODULE_ENTRY));
    if (!entry) std::abort();
    return entry();
}

void discard(void *, const char *, size_t) {}
void quiet_log(void *, int, const char *) {}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const ferry_module *mod = load();
    static std::string path = [] {
        char tmpl[] = "/tmp/ferry-fuzz-XXXXXX";
        int fd = mkstemp(tmpl);
        close(fd);
        // libFuzzer ends a run with exit().  The name is kept in a plain
        // array: `path` is destroyed before a handler registered here runs.
        static char name[sizeof tmpl];
        std::memcpy(name, tmpl, sizeof tmpl);
        std::atexit([] { ::unlink(name); });
        return std::string(tmpl);
    }();
    static ferry_host host = {sizeof(ferry_host), FERRY_ABI_MAJOR, FERRY_ABI_MINOR,
                              nullptr, quiet_log, nullptr, nullptr};
    if (size < 1 || mod->map_type_count < 2) return 0;
    const ferry_map_type &type = mod->map_types[data[0] % mod->map_type_count];
    FILE *f = std::fopen(path.c_str(), "w");
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
    char err[512];
    void *h = type.ops->open(type.type, path.c_str(), FERRY_MAP_READ, &host, err, sizeof err);
    if (!h) return 0;
    ferry_sink sink = {nullptr, discard};
    static const char *keys[] = {"user@example.com", "", "|cmd", "a/b", "MiXeD@CaSe.Org",
                                 "\xc3\xa9t\xc3\xa9@x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (const char *k : keys) type.ops->lookup(h, k, std::char_traits<char>::length(k), &sink, err, sizeof err);
    type.ops->close(h);
    return 0;
}
