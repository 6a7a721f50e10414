// table_config.cpp - reads a network table's configuration (see
// db_common.h, TableConfig): a "name = value" file in main.cf syntax, or
// main.cf parameters with the table name as prefix.
#include "db_common.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ferry::db {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

struct LogicalLine {
    std::string text;
    int line = 0;
};

// main.cf logical lines: a line starting with whitespace continues the one
// before; blank lines and lines whose first non-blank is '#' are skipped
// (also inside a continued line, as Postfix does).
std::vector<LogicalLine> logical_lines(std::string_view text) {
    std::vector<LogicalLine> out;
    int lineno = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view raw = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++lineno;
        std::string_view t = trim(raw);
        if (t.empty() || t.front() == '#') continue;
        if (is_space(raw.front()) && !out.empty()) {
            out.back().text += ' ';
            out.back().text += t;
        } else {
            out.push_back({std::string(t), lineno});
        }
    }
    return out;
}

} // namespace

std::optional<TableConfig> TableConfig::parse(std::string_view path, std::string_view text,
                                              std::string &err) {
    TableConfig c;
    c.path_ = std::string(path);
    c.table_ = c.path_;
    for (const auto &l : logical_lines(text)) {
        std::string_view s = l.text;
        size_t eq = s.find('=');
        if (eq == std::string_view::npos) {
            err = c.path_ + ", line " + std::to_string(l.line) +
                  ": missing '=' after parameter name: \"" + l.text + "\"";
            return std::nullopt;
        }
        std::string_view name = trim(s.substr(0, eq));
        if (name.empty()) {
            err = c.path_ + ", line " + std::to_string(l.line) + ": missing parameter name: \"" +
                  l.text + "\"";
            return std::nullopt;
        }
        for (char ch : name)
            if (is_space(ch)) {
                err = c.path_ + ", line " + std::to_string(l.line) +
                      ": bad parameter name \"" + std::string(name) + "\"";
                return std::nullopt;
            }
        std::string_view value = trim(s.substr(eq + 1));
        // A parameter given twice keeps the last value (Postfix replaces
        // silently); keep its last line, for messages.
        if (Param *p = c.find(name)) {
            p->value = std::string(value);
            p->line = l.line;
            continue;
        }
        c.params_.push_back({std::string(name), std::string(value), l.line});
    }
    c.read_.assign(c.params_.size(), false);
    return c;
}

std::optional<TableConfig> TableConfig::load(std::string_view type, std::string_view name,
                                             const ferry_host *host, std::string &err) {
    if (!name.empty() && (name.front() == '/' || name.front() == '.')) {
        std::ifstream in{std::string(name), std::ios::binary};
        if (!in) {
            err = "open " + std::string(name) + ": " + std::strerror(errno);
            return std::nullopt;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        if (in.bad()) {
            err = "read " + std::string(name) + ": " + std::strerror(errno);
            return std::nullopt;
        }
        auto c = parse(name, ss.str(), err);
        if (c) c->table_ = std::string(type) + ":" + std::string(name);
        return c;
    }
    if (!host || !host->param) {
        err = std::string(type) + ":" + std::string(name) +
              ": no main.cf parameters available for a table named by prefix";
        return std::nullopt;
    }
    TableConfig c;
    c.from_file_ = false;
    c.host_ = host;
    c.prefix_ = std::string(name) + "_";
    c.path_ = "main.cf";
    c.table_ = std::string(type) + ":" + std::string(name);
    return c;
}

TableConfig::Param *TableConfig::find(std::string_view name) {
    for (auto &p : params_)
        if (p.name == name) return &p;
    return nullptr;
}

const TableConfig::Param *TableConfig::find(std::string_view name) const {
    for (const auto &p : params_)
        if (p.name == name) return &p;
    return nullptr;
}

bool TableConfig::has(std::string_view name) const {
    if (from_file_) return find(name) != nullptr;
    StringSink s;
    std::string full = prefix_ + std::string(name);
    return host_->param(host_->ctx, full.c_str(), &s.sink) == 1;
}

int TableConfig::line(std::string_view name) const {
    const Param *p = find(name);
    return p ? p->line : 0;
}

std::string TableConfig::where(std::string_view name) const {
    if (!from_file_) return "main.cf parameter " + prefix_ + std::string(name);
    int l = line(name);
    return l ? path_ + ", line " + std::to_string(l) : path_;
}

std::optional<std::string> TableConfig::get_opt(std::string_view name) {
    if (!from_file_) {
        StringSink s;
        std::string full = prefix_ + std::string(name);
        if (host_->param(host_->ctx, full.c_str(), &s.sink) != 1) return std::nullopt;
        return std::move(s.value);
    }
    for (size_t i = 0; i < params_.size(); ++i)
        if (params_[i].name == name) {
            read_[i] = true;
            return params_[i].value;
        }
    return std::nullopt;
}

void TableConfig::ignore(std::string_view name) { (void)get_opt(name); }

std::string TableConfig::get_str(std::string_view name, std::string_view def) {
    auto v = get_opt(name);
    return v ? *v : std::string(def);
}

std::optional<std::string> TableConfig::get_str(std::string_view name, std::string_view def,
                                                std::string &err, size_t min_len,
                                                size_t max_len) {
    std::string v = get_str(name, def);
    if (v.size() < min_len || (max_len > 0 && v.size() > max_len)) {
        if (v.empty())
            err = where(name) + ": parameter \"" + std::string(name) + "\" must not be empty";
        else
            err = where(name) + ": bad length " + std::to_string(v.size()) + " for \"" +
                  std::string(name) + " = " + v + "\"";
        return std::nullopt;
    }
    return v;
}

std::optional<long> TableConfig::get_int(std::string_view name, long def, long min, long max,
                                         std::string &err) {
    auto v = get_opt(name);
    if (!v) return def;
    std::string_view s = *v;
    bool neg = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        neg = s.front() == '-';
        s.remove_prefix(1);
    }
    long n = 0;
    bool ok = !s.empty();
    for (char ch : s) {
        if (ch < '0' || ch > '9' || n > (1L << 50)) {
            ok = false;
            break;
        }
        n = n * 10 + (ch - '0');
    }
    if (neg) n = -n;
    if (!ok) {
        err = where(name) + ": bad numerical value for \"" + std::string(name) + " = " + *v +
              "\"";
        return std::nullopt;
    }
    if (n < min || (max > 0 && n > max)) {
        err = where(name) + ": value out of range for \"" + std::string(name) + " = " + *v +
              "\" (must be " + (max > 0 ? "between " + std::to_string(min) + " and " +
                                              std::to_string(max)
                                        : "at least " + std::to_string(min)) +
              ")";
        return std::nullopt;
    }
    return n;
}

std::optional<bool> TableConfig::get_bool(std::string_view name, bool def, std::string &err) {
    auto v = get_opt(name);
    if (!v) return def;
    std::string f = fold_lower(*v);
    if (f == "yes") return true;
    if (f == "no") return false;
    err = where(name) + ": bad boolean value for \"" + std::string(name) + " = " + *v +
          "\" (must be yes or no)";
    return std::nullopt;
}

std::vector<TableConfig::Param> TableConfig::unread() const {
    std::vector<Param> out;
    for (size_t i = 0; i < params_.size(); ++i)
        if (!read_[i]) out.push_back(params_[i]);
    return out;
}

} // namespace ferry::db
