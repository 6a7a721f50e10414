// config.cpp - see config.h.
#include "config/config.h"

#include "config/expand.h"
#include "config/params.h"
#include "log/msg.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ferry {
namespace {

constexpr const char *builtin_config_dir = "/etc/postfix";

// Reads a whole file; nullopt with errno set when it cannot be opened.
std::optional<std::string> read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> words(std::string_view s) {
    // Postfix lists: separated by blanks and commas.
    std::vector<std::string> out;
    std::size_t i = 0;
    auto sep = [](char c) { return c == ',' || std::isspace(static_cast<unsigned char>(c)); };
    while (i < s.size()) {
        while (i < s.size() && sep(s[i])) ++i;
        std::size_t b = i;
        while (i < s.size() && !sep(s[i])) ++i;
        if (i > b) out.emplace_back(s.substr(b, i - b));
    }
    return out;
}

} // namespace

std::string Config::builtin_directory() { return builtin_config_dir; }

std::string Config::default_directory() {
    const char *env = std::getenv("MAIL_CONFIG");
    return env && *env ? env : builtin_config_dir;
}

Config Config::load(const std::string &dir, bool read_main_cf) {
    std::string main_path = dir + "/main.cf";
    auto main_text = read_main_cf ? read_file(main_path) : std::optional<std::string>("");
    if (!main_text) msg::fatal("open " + main_path + ": " + std::strerror(errno));
    auto master_text = read_file(dir + "/master.cf");
    return from_text(*main_text, master_text ? *master_text : std::string(), dir);
}

Config Config::from_text(std::string_view main_cf, std::string_view master_cf, const std::string &dir) {
    Config c;
    c.dir_ = dir;
    c.entries_ = config::parse_main_cf(main_cf, c.main_cf_path());
    c.services_ = config::parse_master_cf(master_cf, c.master_cf_path());
    c.index();
    return c;
}

void Config::index() {
    for (const auto &e : entries_) {
        if (!config::is_read_only_param(e.name)) values_[e.name] = e.value;
    }
    // Postfix puts a configuration directory other than the built-in one
    // into the parameters, so `postconf -n` shows it.
    if (dir_ != builtin_config_dir && dir_ != embedded_label) values_["config_directory"] = dir_;
    for (const auto &s : services_) {
        std::string command = s.command.empty() ? std::string() : s.command.front();
        for (auto &p : config::service_params(s.service, command))
            if (!config::is_builtin_param(p.name)) service_params_.emplace(p.name, p.value);
    }
    // User-defined parameters count as used when a value refers to them
    // ($name) or smtpd_restriction_classes names them.
    auto note = [&](std::string_view name, std::string_view value) {
        if (config::is_raw_param(name)) return; // its $names are not parameters
        // Quietly: syntax warnings come from warn_undefined() and expansion.
        for (auto &n : config::referenced_names(value, false).names)
            if (values_.count(n) && !config::is_builtin_param(n) && !service_params_.count(n))
                user_params_.insert(n);
    };
    for (const auto &e : entries_) note(e.name, e.value);
    for (const auto &s : services_)
        for (const auto &o : s.overrides) note(o.name, o.value);
    if (auto classes = get("smtpd_restriction_classes"))
        for (auto &n : words(*classes))
            if (values_.count(n) && !config::is_builtin_param(n)) user_params_.insert(n);
}

bool Config::is_set(std::string_view name) const { return values_.count(name) != 0; }

bool Config::is_known(std::string_view name) const {
    return config::is_builtin_param(name) || service_params_.count(name) || user_params_.count(name);
}

std::vector<std::string> Config::known_names() const {
    std::set<std::string> names(user_params_.begin(), user_params_.end());
    for (const auto &p : config::param_defaults()) names.insert(p.name);
    for (const auto &[n, v] : service_params_) names.insert(n);
    return {names.begin(), names.end()};
}

std::optional<std::string> Config::default_value(std::string_view name) const {
    if (auto it = service_params_.find(name); it != service_params_.end()) return it->second;
    if (!config::is_builtin_param(name)) return std::nullopt;
    config::DefaultContext ctx;
    // The computed defaults follow the settings they depend on.
    if (name == "mynetworks") {
        if (auto v = get("mynetworks_style")) ctx.mynetworks_style = *v;
    } else if (name == "mydomain") {
        if (auto v = get("myhostname")) ctx.myhostname = *v;
    } else if (name == "myhostname" && is_set("mydomain")) {
        ctx.mydomain = get("mydomain").value_or("");
    }
    return config::builtin_default(name, ctx);
}

std::optional<std::string> Config::raw(std::string_view name) const {
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    return default_value(name);
}

std::optional<std::string> Config::lookup_raw(std::string_view name, const config::MasterService *s) const {
    if (s) {
        for (auto it = s->overrides.rbegin(); it != s->overrides.rend(); ++it)
            if (it->name == name) return it->value;
        // Each service knows its own name (syslog_name = postfix/$service_name).
        if (name == "service_name") return s->service;
    }
    return raw(name);
}

std::optional<std::string> Config::get(std::string_view name) const {
    auto value = raw(name);
    if (!value || config::is_raw_param(name)) return value;
    config::RawLookup lookup = [this](std::string_view n) { return raw(n); };
    auto e = config::expand(*value, lookup);
    if (!e.ok) msg::fatal("macro processing error");
    return e.value;
}

std::optional<std::string> Config::service_get(const config::MasterService &s, std::string_view name) const {
    auto value = lookup_raw(name, &s);
    if (!value || config::is_raw_param(name)) return value;
    return expand_value(*value, &s);
}

std::string Config::expand_value(std::string_view value, const config::MasterService *s) const {
    config::RawLookup lookup = [this, s](std::string_view n) { return lookup_raw(n, s); };
    auto e = config::expand(value, lookup);
    if (!e.ok) msg::fatal("macro processing error");
    return e.value;
}

void Config::warn_undefined() const {
    for (const auto &e : entries_)
        if (config::is_read_only_param(e.name))
            msg::warning(main_cf_path() + ": read-only parameter assignment: " + e.name + "=" + e.value);
    auto check = [&](std::string_view name, std::string_view value, const std::string &file) {
        if (config::is_raw_param(name)) return;
        for (auto &n : config::referenced_names(value).names)
            if (!values_.count(n) && !is_known(n)) msg::warning(file + ": undefined parameter: " + n);
    };
    for (const auto &s : services_)
        for (const auto &o : s.overrides) check(o.name, o.value, master_cf_path());
    for (const auto &e : entries_) check(e.name, e.value, main_cf_path());
}

void Config::warn_unused(bool main_cf_too) const {
    if (main_cf_too)
        for (const auto &e : entries_)
            if (!is_known(e.name) && !config::is_read_only_param(e.name))
                msg::warning(main_cf_path() + ": unused parameter: " + e.name + "=" + e.value);
    for (const auto &s : services_)
        for (const auto &o : s.overrides)
            if (!is_known(o.name))
                msg::warning(master_cf_path() + ": unused parameter: " + o.name + "=" + o.value);
}

} // namespace ferry
