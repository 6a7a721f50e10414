// conf.cpp - `ferry conf`, also run as `postconf`: show the parameters in
// effect, their defaults, the master.cf services, and change main.cf.
//
// Output and messages are Postfix 3.7's for the same files, so scripts that
// parse postconf keep working.  Options: -c dir, -n, -d, -h, -x, -f, -M, -F,
// -P, -e, -#, -X, -m, and parameter (or service) names.  Ferry adds
// --embedded (or FERRY_EMBEDDED=1): use the compiled-in default
// configuration instead of a directory, its state under $FERRY_STATE
// (default ./state).  `ferry conf` without -c or $MAIL_CONFIG also uses it,
// with a notice, when /etc/postfix/main.cf does not exist; as `postconf`
// it never does, so scripts see Postfix's fatal error.
#include "cmd/commands.h"
#include "config/config.h"
#include "config/expand.h"
#include "config/main_cf.h"
#include "config/params.h"
#include "log/msg.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ferry::cmd::conf {
// Defined in conf_print.cpp.
void print_param(std::string_view name, std::string_view value, bool value_only, bool fold);
void print_service(const config::MasterService &s, const std::vector<std::string> &command, bool fold);
void print_field(const config::MasterService &s, std::string_view field, std::string_view value);
void flush_output();
} // namespace ferry::cmd::conf

// `postconf -m` lists table types through MapCatalog (conf_maps.cpp).
namespace ferry::cmd::conf {
int print_map_types();
}

namespace ferry::cmd {
namespace {

struct Options {
    std::string dir;
    bool embedded = false;
    bool show_nondefault = false; // -n
    bool show_defaults = false;   // -d
    bool value_only = false;      // -h
    bool expand = false;          // -x
    bool fold = false;            // -f
    char mode = 'p';              // p params, M, F, P, e, #, X, m
    std::vector<std::string> args;
};

[[noreturn]] void usage() {
    msg::fatal("usage: " + msg::program() +
               " [-c config_dir] [-n|-d] [-hfx] [-M|-F|-P [name...]] [-e|-#|-X name...] [name...]");
}

void set_mode(Options &o, char m) {
    if (o.mode != 'p' && o.mode != m) {
        if ((o.mode == 'M' || o.mode == 'F') && (m == 'M' || m == 'F')) msg::fatal("specify one of -F -M");
        usage();
    }
    o.mode = m;
}

Options parse_options(int argc, char **argv) {
    Options o;
    std::vector<char *> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--embedded") == 0) o.embedded = true;
        else rest.push_back(argv[i]);
    }
    rest.push_back(nullptr);
    int n = static_cast<int>(rest.size()) - 1;
    optind = 1;
    int c;
    while ((c = ::getopt(n, rest.data(), "c:dfhmnvxFMPX#e")) != -1) {
        switch (c) {
        case 'c': o.dir = optarg; break;
        case 'd': o.show_defaults = true; break;
        case 'f': o.fold = true; break;
        case 'h': o.value_only = true; break;
        case 'n': o.show_nondefault = true; break;
        case 'v': break;
        case 'x': o.expand = true; break;
        case 'm': case 'M': case 'F': case 'P': case 'X': case '#': case 'e': set_mode(o, static_cast<char>(c)); break;
        default: usage();
        }
    }
    for (int i = optind; i < n; ++i) o.args.emplace_back(rest[i]);
    if (const char *e = std::getenv("FERRY_EMBEDDED"); e && std::strcmp(e, "1") == 0) o.embedded = true;
    if (o.show_defaults && o.show_nondefault) msg::fatal("specify one of -d -n");
    if ((o.mode == 'M' || o.mode == 'F' || o.mode == 'P') && (o.show_nondefault || o.show_defaults))
        msg::fatal(std::string("with option -") + o.mode + ", do not specify -" + (o.show_nondefault ? "n" : "d"));
    if (o.args.empty() && o.mode == 'e') msg::fatal("-e requires name=value argument");
    if (o.args.empty() && (o.mode == 'X' || o.mode == '#')) msg::fatal("missing service argument");
    return o;
}

std::string state_directory() {
    const char *s = std::getenv("FERRY_STATE");
    std::filesystem::path p = s && *s ? s : "state";
    return std::filesystem::absolute(p).lexically_normal().string();
}

// The value a parameter line shows under the options given.
std::optional<std::string> shown_value(const Config &cfg, const Options &o, const std::string &name) {
    if (o.show_defaults) {
        auto d = cfg.default_value(name);
        if (!d || !o.expand || config::is_raw_param(name)) return d;
        config::RawLookup lookup = [&cfg](std::string_view n) { return cfg.default_value(n); };
        auto e = config::expand(*d, lookup);
        if (!e.ok) msg::fatal("macro processing error");
        return e.value;
    }
    return o.expand ? cfg.get(name) : cfg.raw(name);
}

int show_params(const Config &cfg, const Options &o) {
    std::vector<std::string> names;
    if (!o.args.empty()) {
        for (const auto &a : o.args) {
            if (!cfg.is_known(a) && !(o.show_nondefault && a == "config_directory")) {
                msg::warning(a + ": unknown parameter");
                continue;
            }
            names.push_back(a);
        }
    } else if (o.show_nondefault) {
        for (const auto &e : cfg.main_cf())
            if (cfg.is_known(e.name)) names.push_back(e.name);
        if (cfg.is_set("config_directory") &&
            std::find(names.begin(), names.end(), "config_directory") == names.end())
            names.push_back("config_directory");
        std::sort(names.begin(), names.end());
    } else {
        names = cfg.known_names();
    }
    for (const auto &n : names) {
        if (o.show_nondefault && !o.args.empty() && !cfg.is_set(n)) continue;
        if (auto v = shown_value(cfg, o, n)) conf::print_param(n, *v, o.value_only, o.fold);
    }
    return 0;
}

// "service" or "service/type" (-M), plus "/field" or "/parameter" (-F, -P).
struct Pattern {
    std::string service, type, field;
};
Pattern split_pattern(const std::string &a) {
    Pattern p;
    auto s1 = a.find('/');
    p.service = a.substr(0, s1);
    if (s1 != std::string::npos) {
        auto s2 = a.find('/', s1 + 1);
        p.type = a.substr(s1 + 1, s2 == std::string::npos ? std::string::npos : s2 - s1 - 1);
        if (s2 != std::string::npos) p.field = a.substr(s2 + 1);
    }
    return p;
}
bool matches(const Pattern &p, const config::MasterService &s) {
    return (p.service.empty() || p.service == s.service) && (p.type.empty() || p.type == s.type);
}

void warn_unmatched(const Config &cfg, const Options &o) {
    for (const auto &a : o.args) {
        Pattern p = split_pattern(a);
        bool hit = false;
        for (const auto &s : cfg.services())
            if (matches(p, s)) {
                if (o.mode != 'P' || p.field.empty()) hit = true;
                for (const auto &ov : s.overrides) hit = hit || ov.name == p.field;
            }
        if (!hit) msg::warning("unmatched request: \"" + a + "\"");
    }
}

std::vector<std::string> shown_command(const Config &cfg, const config::MasterService &s, bool expand) {
    std::vector<std::string> cmd = s.command;
    if (!expand) return cmd;
    // -x expands the values of -o name=value, not the command's own arguments.
    for (std::size_t i = 1; i + 1 < cmd.size(); ++i) {
        if (cmd[i] != "-o") continue;
        auto eq = cmd[i + 1].find('=');
        if (eq == std::string::npos) continue;
        std::string nv = cmd[i + 1].substr(0, eq + 1) + cfg.expand_value(cmd[i + 1].substr(eq + 1), &s);
        // A value with blanks is shown in braces, the master.cf syntax that
        // keeps it one argument.
        bool blank = nv.find_first_of(" \t") != std::string::npos;
        cmd[i + 1] = blank ? "{" + nv + "}" : nv;
        ++i;
    }
    return cmd;
}

int show_services(const Config &cfg, const Options &o) {
    warn_unmatched(cfg, o);
    for (const auto &s : cfg.services()) {
        if (o.mode == 'M') {
            bool hit = o.args.empty();
            for (const auto &a : o.args) hit = hit || matches(split_pattern(a), s);
            if (hit) conf::print_service(s, shown_command(cfg, s, o.expand), o.fold);
            continue;
        }
        std::vector<Pattern> pats;
        for (const auto &a : o.args) pats.push_back(split_pattern(a));
        if (pats.empty()) pats.push_back({});
        for (const auto &p : pats) {
            if (!matches(p, s)) continue;
            if (o.mode == 'F') {
                auto cmd = shown_command(cfg, s, o.expand);
                std::string command;
                for (auto &w : cmd) command += (command.empty() ? "" : " ") + w;
                const std::pair<const char *, std::string> fields[] = {
                    {"service", s.service}, {"type", s.type}, {"private", s.private_},
                    {"unprivileged", s.unprivileged}, {"chroot", s.chroot}, {"wakeup", s.wakeup},
                    {"process_limit", s.process_limit}, {"command", command}};
                for (auto &[f, v] : fields)
                    if (p.field.empty() || p.field == f) conf::print_field(s, f, v);
            } else {
                // Postfix lists a service's -o parameters by name.
                auto overrides = s.overrides;
                std::stable_sort(overrides.begin(), overrides.end(),
                                 [](const auto &a, const auto &b) { return a.name < b.name; });
                for (const auto &ov : overrides) {
                    if (!p.field.empty() && p.field != ov.name) continue;
                    std::string v = o.expand ? cfg.service_get(s, ov.name).value_or("") : ov.value;
                    conf::print_field(s, ov.name, v);
                }
            }
        }
    }
    return 0;
}

std::string read_main_cf(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) msg::fatal("open " + path + ": " + std::strerror(errno));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// -e name=value..., -# name..., -X name...
int edit(const std::string &dir, const Options &o) {
    std::string path = dir + "/main.cf";
    std::string text = read_main_cf(path);
    std::vector<std::pair<std::string, std::string>> changes;
    for (const auto &a : o.args) {
        if (o.mode != 'e') {
            changes.emplace_back(a, "");
            continue;
        }
        auto eq = a.find('=');
        if (eq == std::string::npos) msg::fatal("missing '=' after attribute name: \"" + a + "\"");
        auto trim = [](std::string s) {
            s.erase(0, s.find_first_not_of(" \t\n"));
            s.erase(s.find_last_not_of(" \t\n") + 1);
            return s;
        };
        std::string name = trim(a.substr(0, eq));
        if (name.empty()) msg::fatal("missing attribute name: \"" + a + "\"");
        changes.emplace_back(name, trim(a.substr(eq + 1)));
    }
    auto kind = o.mode == 'e' ? config::Edit::set : o.mode == '#' ? config::Edit::comment : config::Edit::remove;
    config::replace_file(path, config::edit_main_cf(text, kind, changes, path));
    return 0;
}

} // namespace

int conf_main(int argc, char **argv) {
    Options o = parse_options(argc, argv);
    if (o.mode == 'm') {
        return conf::print_map_types();
    }
    std::string dir = o.dir.empty() ? Config::default_directory() : o.dir;
    std::string_view self = argv[0];
    if (auto slash = self.rfind('/'); slash != std::string_view::npos) self.remove_prefix(slash + 1);
    if (!o.embedded && self != "postconf" && o.dir.empty() && !std::getenv("MAIL_CONFIG") &&
        ::access((dir + "/main.cf").c_str(), F_OK) != 0 && o.mode != 'e' && o.mode != '#' && o.mode != 'X') {
        msg::info("no " + dir + "/main.cf: showing the embedded default configuration");
        o.embedded = true;
    }
    if (o.mode == 'e' || o.mode == '#' || o.mode == 'X') {
        if (o.embedded) msg::fatal("the embedded configuration cannot be edited");
        return edit(dir, o);
    }
    // -d shows built-in defaults only: like Postfix, it does not read main.cf
    // (a broken main.cf does not stop it) but still reads master.cf.
    Config cfg = o.embedded ? Config::load_embedded(state_directory())
                            : Config::load(dir, !(o.mode == 'p' && o.show_defaults));
    // Postfix checks the files only when it shows what is in effect: not
    // for -d, and for -M/-F/-P only the master.cf settings.
    bool check = !(o.mode == 'p' && o.show_defaults);
    if (check) {
        // Like Postfix, evaluate every built-in parameter main.cf sets, so a
        // loop or a syntax error there is fatal before anything is shown.
        for (const auto &e : cfg.main_cf())
            if (config::is_builtin_param(e.name)) (void)cfg.get(e.name);
        cfg.warn_undefined();
    }
    // Output is held until everything is computed: a fatal error (a loop
    // found while expanding) leaves no partial output, as with Postfix.
    int rc = (o.mode == 'p') ? show_params(cfg, o) : show_services(cfg, o);
    conf::flush_output();
    if (check) cfg.warn_unused(o.mode == 'p');
    return rc;
}

} // namespace ferry::cmd
