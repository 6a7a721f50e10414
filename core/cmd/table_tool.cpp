// table_tool.cpp - see table_tool.h.
//
// Exit status, as Postfix: 0 on success and for a query or delete that
// found something, 1 when nothing was found or on a fatal error.  Ferry
// differs in one place: a table that cannot answer (temporary failure) exits
// with 75 (EX_TEMPFAIL) instead of 1, so scripts can tell "not found" from
// "could not look" (the message text is Postfix's).
#include "cmd/table_tool.h"

#include "cmd/cmd_config.h"
#include "log/msg.h"

#include <unistd.h>

#include <iostream>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

namespace ferry::cmd {
namespace {

constexpr int kTempFailExit = 75;

enum class Mode { Build, Query, Delete, List };

struct Options {
    Mode mode = Mode::Build;
    std::string mode_key; // -q / -d argument
    bool incremental = false;
    unsigned null_flags = map_flags::try0null | map_flags::try1null;
    bool fold = true;
    unsigned dup_flags = map_flags::dup_warn;
    std::string config_dir;
    std::vector<std::string> tables;
};

struct TableName {
    std::string type;
    std::string name;
    std::string spec() const { return type + ":" + name; }
};

TableName split_table(const std::string &arg, const std::string &default_type) {
    auto colon = arg.find(':');
    // "inline:{...}" and "type:/path" name a type; a bare path does not.
    if (colon == std::string::npos || arg.find('/') < colon) return {default_type, arg};
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

[[noreturn]] void usage(const SourceFormat &format) {
    msg::fatal("usage: " + format.usage);
}

Options parse_options(int argc, char **argv, const SourceFormat &format) {
    Options o;
    int c;
    bool have_mode = false;
    auto set_mode = [&](Mode m) {
        if (have_mode && o.mode != m) msg::fatal("specify only one of -s or -q or -d");
        o.mode = m;
        have_mode = true;
    };
    opterr = 0; // report as "postmap: ...", not as the path we were run by
    optind = 1;
    while ((c = getopt(argc, argv, "bc:d:fFhimnNopq:rsuUvw")) != -1) {
        switch (c) {
        case 'c': o.config_dir = optarg; break;
        case 'd': set_mode(Mode::Delete); o.mode_key = optarg; break;
        case 'q': set_mode(Mode::Query); o.mode_key = optarg; break;
        case 's': set_mode(Mode::List); break;
        case 'f': o.fold = false; break;
        case 'i': o.incremental = true; break;
        case 'N': o.null_flags = map_flags::try1null; break;
        case 'n': o.null_flags = map_flags::try0null; break;
        case 'r': o.dup_flags = map_flags::dup_replace; break;
        case 'w': o.dup_flags = map_flags::dup_ignore; break;
        // Accepted for compatibility; they change nothing Ferry does here:
        // -o (no root check: Ferry never changes uid here), -p (permissions
        // come from the umask), -u/-U (UTF-8 keys are stored as given),
        // -v (verbose), -m (legacy no-op).
        case 'o': case 'p': case 'u': case 'U': case 'v': case 'm': break;
        case 'b': case 'h': case 'F':
            msg::fatal(std::string("option -") + static_cast<char>(c) +
                       " is not supported by this version of Ferry");
        default:
            msg::info(optopt && std::strchr("cdq", optopt)
                          ? std::string("option requires an argument -- '") +
                                static_cast<char>(optopt) + "'"
                          : std::string("invalid option -- '") + static_cast<char>(optopt) + "'");
            usage(format);
        }
    }
    for (int i = optind; i < argc; ++i) o.tables.emplace_back(argv[i]);
    return o;
}

unsigned common_flags(const Options &o) {
    return o.null_flags | (o.fold ? map_flags::fold : 0u);
}

std::unique_ptr<Map> open_or_die(MapCatalog &catalog, const TableName &t, unsigned flags) {
    auto opened = catalog.open(t.spec(), flags);
    if (!opened.map) msg::fatal(opened.error);
    return std::move(opened.map);
}

// ---- build ---------------------------------------------------------------

void build_table(MapCatalog &catalog, const TableName &t, const Options &o,
                 const SourceFormat &format) {
    // As Postfix: the source is opened before the table type is looked at.
    TableSource src = o.incremental ? read_table_source(std::cin, "stdin")
                                    : read_table_source(t.name);
    if (!src.error.empty()) msg::fatal("open " + t.name + ": " + src.error);
    auto props = catalog.props(t.type);
    if (!props) msg::fatal("unsupported dictionary type: " + t.type);
    if (!(*props & map_props::writable))
        msg::fatal("unsupported dictionary type: " + t.type +
                   " does not support bulk-mode creation.");

    unsigned flags = map_flags::read | map_flags::write | common_flags(o) | o.dup_flags |
                     (o.incremental ? 0u : map_flags::create);
    auto map = open_or_die(catalog, t, flags);

    auto put = [&](const std::string &k, const std::string &v) {
        if (k.empty()) {
            msg::warning("table " + t.spec() + ": empty lookup key value is not allowed");
            return;
        }
        if (auto err = map->update(k, v)) msg::fatal(err->text);
    };
    const std::string source_path = o.incremental ? "stdin" : t.name;
    std::string key, value;
    for (const LogicalLine &line : src.lines)
        if (format.parse(source_path, line, key, value)) put(key, value);
    // Trailer entries replace an older copy silently (an incremental update
    // of an alias database already has "@").
    for (const auto &[k, v] : format.trailer) {
        if (o.incremental) map->remove(k);
        put(k, v);
    }
    if (auto err = map->commit()) msg::fatal(err->text);
}

// ---- query, delete, list --------------------------------------------------

// Calls f for each key on stdin (one per line; empty lines are skipped, as
// Postfix skips them).
template <class F> void for_each_stdin_key(F f) {
    char *buf = nullptr;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&buf, &cap, stdin)) >= 0) {
        std::string key(buf, static_cast<size_t>(n));
        if (!key.empty() && key.back() == '\n') key.pop_back();
        if (!key.empty()) f(key);
    }
    std::free(buf);
}

// Looks `key` up in each table in turn; the first answer that is not
// NotFound wins.  A temporary failure is fatal with Postfix's text.
std::optional<std::string> query(std::vector<std::pair<TableName, std::unique_ptr<Map>>> &maps,
                                 const std::string &key) {
    for (auto &[t, map] : maps) {
        auto r = map->lookup(key);
        if (r.is_found()) return r.value;
        if (r.is_temp_fail())
            msg::fatal_status(kTempFailExit, "table " + t.spec() + ": query error: " + r.reason);
    }
    return std::nullopt;
}

int run_query(MapCatalog &catalog, const std::vector<TableName> &tables, const Options &o,
              const SourceFormat &format) {
    std::vector<std::pair<TableName, std::unique_ptr<Map>>> maps;
    for (const auto &t : tables)
        maps.emplace_back(t, open_or_die(catalog, t, map_flags::read | common_flags(o)));
    if (o.mode_key != "-") {
        if (o.mode_key.empty()) return 1;
        auto v = query(maps, o.mode_key);
        if (!v) return 1;
        std::printf("%s\n", v->c_str());
        return 0;
    }
    // Keys on stdin, one per line; print "key<sep>value" for each found key.
    static char outbuf[1 << 16];
    std::setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    bool any = false;
    for_each_stdin_key([&](const std::string &key) {
        if (auto v = query(maps, key)) {
            any = true;
            std::fputs(key.c_str(), stdout);
            std::fputs(format.list_separator.c_str(), stdout);
            std::fputs(v->c_str(), stdout);
            std::fputc('\n', stdout);
        }
    });
    std::fflush(stdout);
    return any ? 0 : 1;
}

int run_delete(MapCatalog &catalog, const std::vector<TableName> &tables, const Options &o) {
    std::vector<std::string> keys;
    if (o.mode_key == "-") {
        for_each_stdin_key([&](const std::string &key) { keys.push_back(key); });
    } else {
        keys.push_back(o.mode_key);
    }
    bool any = false;
    for (const auto &t : tables) {
        auto map = open_or_die(catalog, t, map_flags::read | map_flags::write | common_flags(o));
        for (const auto &k : keys) {
            auto r = map->remove(k);
            if (r.is_found()) any = true;
            if (r.is_temp_fail())
                msg::fatal_status(kTempFailExit,
                                  "table " + t.spec() + ": delete error: " + r.reason);
        }
        if (auto err = map->commit()) msg::fatal(err->text);
    }
    return any ? 0 : 1;
}

int run_list(MapCatalog &catalog, const std::vector<TableName> &tables, const Options &o,
             const SourceFormat &format) {
    for (const auto &t : tables) {
        auto map = open_or_die(catalog, t, map_flags::read | common_flags(o));
        if (!(map->props() & map_props::sequence))
            msg::fatal("table " + t.spec() + ": sequence operation is not supported");
        Map::Entry e;
        std::string why;
        for (bool first = true;; first = false) {
            auto s = map->sequence(first, e, why);
            if (s == LookupStatus::NotFound) break;
            if (s == LookupStatus::TempFail)
                msg::fatal_status(kTempFailExit, "table " + t.spec() + ": sequence error: " + why);
            std::printf("%s%s%s\n", e.key.c_str(), format.list_separator.c_str(),
                        e.value.c_str());
        }
    }
    return 0;
}

} // namespace

int run_table_tool(int argc, char **argv, const SourceFormat &format,
                   const std::vector<std::string> &default_tables) {
    Options o = parse_options(argc, argv, format);
    CommandConfig config = load_command_config(o.config_dir);
    std::string default_type = config.get("default_database_type", "hash");

    std::vector<std::string> args = o.tables;
    if (args.empty()) {
        for (const auto &d : default_tables) {
            // Default tables come from a parameter: a list of "type:name".
            std::string v = config.get(d);
            std::string item;
            for (char ch : v + ",") {
                if (ch == ',' || is_blank(ch)) {
                    if (!item.empty()) args.push_back(item);
                    item.clear();
                } else {
                    item += ch;
                }
            }
        }
    }
    if (args.empty()) usage(format);

    std::vector<TableName> tables;
    for (const auto &a : args) tables.push_back(split_table(a, default_type));

    CatalogOptions copts = default_catalog_options();
    copts.param = config.param;
    MapCatalog catalog(std::move(copts));

    switch (o.mode) {
    case Mode::Query: return run_query(catalog, tables, o, format);
    case Mode::Delete: return run_delete(catalog, tables, o);
    case Mode::List: return run_list(catalog, tables, o, format);
    case Mode::Build: break;
    }
    for (const auto &t : tables) build_table(catalog, t, o, format);
    return 0;
}

} // namespace ferry::cmd
