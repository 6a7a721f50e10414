// table_reader.cpp - a long-running table reader for the mysql: tests: it
// loads a module through the C ABI alone (dlopen + ferry_module_entry),
// opens one table and answers keys read from stdin, one per line, until
// EOF, so a test can take the database away and bring it back while the
// same handle stays open.
//
//   table_reader MODULE.so TYPE NAME [fold]
//
// Input: a key per line; "hex:414243" gives a key as hex bytes (for NUL).
// Output, one line per key, flushed: "FOUND\t<value>", "NOTFOUND",
// "TEMPFAIL\t<reason>" or "CONFIG\t<reason>".  Open failure: "OPENFAIL\t
// <reason>" and exit 2.  Log lines from the module go to stderr as
// "LOG <level> <text>".  Tables in a "domain" list are not available here.
#include <ferry/plugin.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace {

void host_log(void *, int level, const char *message) {
    std::fprintf(stderr, "LOG %d %s\n", level, message);
    std::fflush(stderr);
}

int host_param(void *, const char *, ferry_sink *) { return 0; }

int host_lookup(void *, const char *table, const char *, size_t, ferry_sink *, char *err,
                size_t errlen) {
    std::snprintf(err, errlen, "table_reader: no table %s", table);
    return FERRY_TEMPFAIL;
}

void put(void *ctx, const char *data, size_t len) {
    static_cast<std::string *>(ctx)->append(data, len);
}

std::string unhex(const std::string &s) {
    std::string out;
    for (size_t i = 0; i + 1 < s.size(); i += 2)
        out += static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16));
    return out;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: table_reader MODULE.so TYPE NAME [fold]\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        std::printf("OPENFAIL\tdlopen: %s\n", dlerror());
        return 2;
    }
    auto entry = reinterpret_cast<ferry_module_entry_fn>(dlsym(lib, FERRY_MODULE_ENTRY));
    if (!entry) {
        std::printf("OPENFAIL\tno %s in %s\n", FERRY_MODULE_ENTRY, argv[1]);
        return 2;
    }
    const ferry_module *mod = entry();
    ferry_host host{sizeof(ferry_host), FERRY_ABI_MAJOR, FERRY_ABI_MINOR, nullptr,
                    host_log, host_param, host_lookup};
    char err[1024] = "";
    if (mod->init && mod->init(&host, err, sizeof err) != 0) {
        std::printf("OPENFAIL\tinit: %s\n", err);
        return 2;
    }
    const ferry_map_ops *ops = nullptr;
    for (uint32_t i = 0; i < mod->map_type_count; ++i) {
        auto *t = reinterpret_cast<const ferry_map_type *>(
            reinterpret_cast<const char *>(mod->map_types) + i * mod->map_types[0].size);
        if (std::strcmp(t->type, argv[2]) == 0) ops = t->ops;
    }
    if (!ops) {
        std::printf("OPENFAIL\tno type %s\n", argv[2]);
        return 2;
    }
    unsigned flags = FERRY_MAP_READ;
    if (argc > 4 && std::strcmp(argv[4], "fold") == 0) flags |= FERRY_MAP_FOLD;
    void *h = ops->open(argv[2], argv[3], flags, &host, err, sizeof err);
    if (!h) {
        std::printf("OPENFAIL\t%s\n", err);
        std::fflush(stdout);
        return 2;
    }
    std::printf("READY\n");
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string key = line.rfind("hex:", 0) == 0 ? unhex(line.substr(4)) : line;
        std::string value;
        ferry_sink sink{&value, put};
        err[0] = '\0';
        int st = ops->lookup(h, key.data(), key.size(), &sink, err, sizeof err);
        switch (st) {
        case FERRY_FOUND: std::printf("FOUND\t%s\n", value.c_str()); break;
        case FERRY_NOTFOUND: std::printf("NOTFOUND\n"); break;
        case FERRY_TEMPFAIL: std::printf("TEMPFAIL\t%s\n", err); break;
        case FERRY_CONFIG: std::printf("CONFIG\t%s\n", err); break;
        default: std::printf("BAD\t%d\n", st);
        }
        std::fflush(stdout);
    }
    ops->close(h);
    if (mod->fini) mod->fini();
    dlclose(lib);
    return 0;
}
