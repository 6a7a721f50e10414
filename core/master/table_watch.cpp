// table_watch.cpp - see table_watch.h.
#include "master/table_watch.h"

#include "config/config.h"
#include "config/values.h"
#include "maps/proxy_table.h"

#include <cctype>

namespace ferry::master {
namespace {

// What postmap builds from `path` for table `type`, besides the source.
const char *built_suffix(std::string_view type) {
    if (type == "hash" || type == "btree" || type == "dbm" || type == "sdbm") return ".db";
    if (type == "lmdb") return ".lmdb";
    if (type == "cdb") return ".cdb";
    return nullptr;
}

bool is_type_name(std::string_view t) {
    if (t.empty()) return false;
    for (char c : t)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

} // namespace

TableWatch::Stamp TableWatch::stamp_of(const std::string &path) {
    Stamp s;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return s;
    s.exists = true;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.size = st.st_size;
    s.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
    s.ctime_ns = st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec;
    return s;
}

void TableWatch::reset(const Config &cfg) {
    files_.clear();
    auto watch = [&](std::string_view value) {
        for (std::string_view item : config::list_items(value)) {
            item = strip_proxy(item);
            size_t colon = item.find(':');
            if (colon == std::string_view::npos || colon + 1 >= item.size() || item[colon + 1] != '/') continue;
            std::string_view type = item.substr(0, colon);
            if (!is_type_name(type)) continue;
            std::string path(item.substr(colon + 1));
            std::string table(item);
            for (std::string file : {path, built_suffix(type) ? path + built_suffix(type) : std::string()}) {
                if (file.empty() || files_.count(file)) continue;
                Stamp now = stamp_of(file);
                files_[file] = Watched{table, now, now};
            }
        }
    };
    for (const auto &name : cfg.known_names()) {
        auto raw = cfg.raw(name);
        // Only values that can name a table are expanded.
        if (raw && raw->find(':') != std::string::npos)
            if (auto v = cfg.get(name)) watch(*v);
    }
    for (const auto &row : cfg.services())
        for (size_t i = 0; i + 1 < row.command.size(); ++i)
            if (row.command[i] == "-o") {
                const std::string &setting = row.command[i + 1];
                size_t eq = setting.find('=');
                if (eq != std::string::npos) watch(cfg.expand_value(setting.substr(eq + 1), &row));
            }
}

std::string TableWatch::changed() {
    std::string table;
    for (auto &[path, w] : files_) {
        Stamp now = stamp_of(path);
        bool stable = now == w.last;
        w.last = now;
        if (stable && !(now == w.settled) && table.empty()) table = w.table;
    }
    return table;
}

std::map<std::string, std::string> TableWatch::files() const {
    std::map<std::string, std::string> out;
    for (const auto &[path, w] : files_) out[path] = w.table;
    return out;
}

} // namespace ferry::master
