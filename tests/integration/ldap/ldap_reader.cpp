// ldap_reader.cpp - a long-running table reader for the ldap: tests.
//
// Loads maps-ldap.so through the public C ABI only (dlopen, the module
// entry, the map ops), opens one table and keeps it open while it answers
// keys read from stdin, one per line, so a test can stop and restart the
// directory server under a reader that never restarts.  A line starting
// with '%' is a percent-encoded key (for NUL and other bytes).
//
// Output, one line per key: "FOUND <value>", "NOTFOUND", "TEMPFAIL <reason>"
// or "CONFIG <reason>".  Module log lines go to stderr.
//
// usage: ldap_reader MODULE.so TYPE:NAME [fold]
#include <ferry/plugin.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace {

void host_log(void *, int level, const char *message) {
    std::fprintf(stderr, "ldap_reader: %s: %s\n",
                 level == FERRY_LOG_INFO ? "info" : level == FERRY_LOG_WARNING ? "warning"
                                                                                 : "error",
                 message);
}

int host_param(void *, const char *, ferry_sink *) { return 0; }

int host_lookup(void *, const char *table, const char *, size_t, ferry_sink *, char *err,
                size_t errlen) {
    std::snprintf(err, errlen, "%s: nested lookups are not available in ldap_reader", table);
    return FERRY_CONFIG;
}

void append(void *ctx, const char *data, size_t len) {
    static_cast<std::string *>(ctx)->append(data, len);
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(const std::string &line) {
    if (line.empty() || line[0] != '%') return line;
    std::string out;
    for (size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '%' && i + 2 < line.size() + 0 && hex(line[i + 1]) >= 0 &&
            hex(line[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(line[i + 1]) * 16 + hex(line[i + 2])));
            i += 2;
        } else {
            out.push_back(line[i]);
        }
    }
    return out;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: ldap_reader MODULE.so TYPE:NAME [fold]\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        std::fprintf(stderr, "ldap_reader: %s\n", dlerror());
        return 2;
    }
    auto entry = reinterpret_cast<ferry_module_entry_fn>(dlsym(lib, FERRY_MODULE_ENTRY));
    if (entry == nullptr) {
        std::fprintf(stderr, "ldap_reader: %s: no %s\n", argv[1], FERRY_MODULE_ENTRY);
        return 2;
    }
    const ferry_module *mod = entry();
    std::string spec = argv[2];
    size_t colon = spec.find(':');
    if (colon == std::string::npos || mod->map_type_count < 1) {
        std::fprintf(stderr, "ldap_reader: bad table %s\n", argv[2]);
        return 2;
    }
    std::string type = spec.substr(0, colon), name = spec.substr(colon + 1);
    const ferry_map_type *mt = nullptr;
    for (uint32_t i = 0; i < mod->map_type_count; ++i) {
        auto *t = reinterpret_cast<const ferry_map_type *>(
            reinterpret_cast<const char *>(mod->map_types) + i * mod->map_types[0].size);
        if (type == t->type) mt = t;
    }
    if (mt == nullptr) {
        std::fprintf(stderr, "ldap_reader: %s: no type %s\n", argv[1], type.c_str());
        return 2;
    }
    ferry_host host{};
    host.size = sizeof host;
    host.abi_major = FERRY_ABI_MAJOR;
    host.abi_minor = FERRY_ABI_MINOR;
    host.log = host_log;
    host.param = host_param;
    host.lookup = host_lookup;
    unsigned flags = FERRY_MAP_READ;
    if (argc > 3 && std::strcmp(argv[3], "fold") == 0) flags |= FERRY_MAP_FOLD;
    char err[1024] = "";
    if (mod->init && mod->init(&host, err, sizeof err) != 0) {
        std::fprintf(stderr, "ldap_reader: init: %s\n", err);
        return 2;
    }
    void *handle = mt->ops->open(type.c_str(), name.c_str(), flags, &host, err, sizeof err);
    if (handle == nullptr) {
        std::printf("OPENFAIL %s\n", err);
        return 1;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string key = decode(line), value;
        ferry_sink sink{&value, append};
        err[0] = '\0';
        int status = mt->ops->lookup(handle, key.data(), key.size(), &sink, err, sizeof err);
        switch (status) {
        case FERRY_FOUND: std::printf("FOUND %s\n", value.c_str()); break;
        case FERRY_NOTFOUND: std::printf("NOTFOUND\n"); break;
        case FERRY_TEMPFAIL: std::printf("TEMPFAIL %s\n", err); break;
        default: std::printf("CONFIG %s\n", err); break;
        }
        std::fflush(stdout);
    }
    mt->ops->close(handle);
    if (mod->fini) mod->fini();
    dlclose(lib);
    return 0;
}
