// regexp_query.cpp - `postmap -q -` for the maps-regexp module, for
// differential tests and timing.
//
// Usage: regexp_query [-m MODULE.so] TYPE:FILE < keys
// Loads the module through the C ABI only (dlopen + ferry_module_entry),
// as the core does, opens the table, reads one key per line (newline
// stripped; empty lines are keys too, as in postmap) and prints
// "key<TAB>value" for each key found.  Warnings go to stderr as
// "regexp_query: warning: ..." so they compare with postmap's after the
// program name; a temporary failure is reported there too.  Exit status 0
// when some key was found, 1 otherwise, like postmap -q.
#include <ferry/plugin.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

void log_line(void *, int level, const char *message) {
    const char *word = level == FERRY_LOG_INFO      ? "info"
                       : level == FERRY_LOG_WARNING ? "warning"
                       : level == FERRY_LOG_ERROR   ? "error"
                                                    : "fatal";
    std::fprintf(stderr, "regexp_query: %s: %s\n", word, message);
}

[[noreturn]] void fatal(const std::string &text) {
    log_line(nullptr, FERRY_LOG_FATAL, text.c_str());
    std::exit(1);
}

std::string find_module(const char *explicit_path) {
    if (explicit_path)
        return explicit_path;
    const char *path = std::getenv("FERRY_MODULE_PATH");
    std::string dirs = path ? path : "";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos)
            end = dirs.size();
        std::string candidate = dirs.substr(start, end - start) + "/maps-regexp.so";
        if (FILE *f = std::fopen(candidate.c_str(), "r")) {
            std::fclose(f);
            return candidate;
        }
        start = end + 1;
    }
    fatal("maps-regexp.so not found in FERRY_MODULE_PATH");
}

void append(void *ctx, const char *data, size_t len) {
    static_cast<std::string *>(ctx)->append(data, len);
}

} // namespace

int main(int argc, char **argv) {
    const char *module_path = nullptr;
    int arg = 1;
    if (arg + 1 < argc && std::strcmp(argv[arg], "-m") == 0) {
        module_path = argv[arg + 1];
        arg += 2;
    }
    if (arg + 1 != argc)
        fatal("usage: regexp_query [-m MODULE.so] TYPE:FILE < keys");
    std::string table = argv[arg];
    size_t colon = table.find(':');
    if (colon == std::string::npos)
        fatal("table name must be TYPE:FILE");
    std::string type = table.substr(0, colon), name = table.substr(colon + 1);

    std::string so = find_module(module_path);
    void *dl = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        fatal(std::string("dlopen: ") + dlerror());
    auto entry = reinterpret_cast<ferry_module_entry_fn>(dlsym(dl, FERRY_MODULE_ENTRY));
    if (!entry)
        fatal("no " FERRY_MODULE_ENTRY " in " + so);
    const ferry_module *mod = entry();
    const ferry_map_ops *ops = nullptr;
    for (uint32_t i = 0; i < mod->map_type_count; ++i)
        if (type == mod->map_types[i].type)
            ops = mod->map_types[i].ops;
    if (!ops)
        fatal("unsupported dictionary type: " + type);

    ferry_host host{};
    host.size = sizeof(host);
    host.abi_major = FERRY_ABI_MAJOR;
    host.abi_minor = FERRY_ABI_MINOR;
    host.log = log_line;
    char err[512] = "";
    void *handle = ops->open(type.c_str(), name.c_str(), FERRY_MAP_READ, &host,
                             err, sizeof(err));
    if (!handle)
        fatal(err);

    // All keys at once: the timing should measure lookups, not stdio.
    std::string input;
    {
        char buf[1 << 16];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0)
            input.append(buf, n);
    }
    std::string out, value;
    ferry_sink sink{&value, append};
    bool any = false;
    size_t pos = 0;
    while (pos < input.size()) {
        size_t nl = input.find('\n', pos);
        size_t end = nl == std::string::npos ? input.size() : nl;
        std::string key = input.substr(pos, end - pos);
        pos = end + 1;
        // postmap hands the key on as a C string.
        key.resize(std::strlen(key.c_str()));
        value.clear();
        int rc = ops->lookup(handle, key.data(), key.size(), &sink, err, sizeof(err));
        if (rc == FERRY_FOUND) {
            if (value.empty()) {
                std::string msg = "table " + table + ": key " + key +
                                  ": empty string result is not allowed";
                log_line(nullptr, FERRY_LOG_WARNING, msg.c_str());
                msg = "table " + table + " should return NO RESULT in case of NOT FOUND";
                log_line(nullptr, FERRY_LOG_WARNING, msg.c_str());
            }
            out += key;
            out += '\t';
            out += value;
            out += '\n';
            any = true;
        } else if (rc != FERRY_NOTFOUND) {
            std::string msg = "table " + table + ": query error for key " + key + ": " + err;
            log_line(nullptr, FERRY_LOG_WARNING, msg.c_str());
        }
        if (out.size() > (1 << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    ops->close(handle);
    return any ? 0 : 1;
}
