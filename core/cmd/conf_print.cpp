// conf_print.cpp - how `postconf` prints: parameters ("name = value"),
// master.cf services in columns (-M), their fields (-F) and their -o
// parameters (-P), with Postfix's folding of long lines (-f).
//
// Postfix prints values as words separated by one space, whatever spacing
// the file used, and -f breaks lines before a word that would pass column
// 80, continuing with four spaces.
#include "config/config.h"

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::cmd::conf {

namespace {

// "name = value" lines may reach column 80; master.cf lines stop at 79.
constexpr std::size_t param_line_limit = 80;
constexpr std::size_t service_line_limit = 79;
constexpr std::string_view indent = "    ";

// Adds `word` to `out`, whose current line is `line_len` long.
void add_word(std::string &out, std::size_t &line_len, std::string_view word, bool fold, bool force_break,
              std::size_t limit) {
    bool at_indent = line_len == indent.size() && out.ends_with(indent);
    if (fold && !at_indent && (force_break || line_len + 1 + word.size() > limit)) {
        out += '\n';
        out += indent;
        line_len = indent.size();
    } else {
        out += ' ';
        ++line_len;
    }
    out += word;
    line_len += word.size();
}

std::string &pending() {
    static std::string out;
    return out;
}

void emit(const std::string &line) {
    pending() += line;
    pending() += '\n';
}

// The column where each master.cf field starts in -M output.
constexpr std::size_t columns[] = {0, 11, 17, 25, 33, 41, 49, 57};

} // namespace

void print_param(std::string_view name, std::string_view value, bool value_only, bool fold) {
    std::string out;
    std::size_t len = 0;
    if (!value_only) {
        out = std::string(name) + " =";
        len = out.size();
    }
    bool first = true;
    for (auto &w : config::split_fields(value)) {
        if (value_only && first) {
            out = w;
            len = w.size();
        } else {
            add_word(out, len, w, fold, false, param_line_limit);
        }
        first = false;
    }
    emit(out);
}

void print_service(const config::MasterService &s, const std::vector<std::string> &command, bool fold) {
    const std::string *fields[] = {&s.service,   &s.type,   &s.private_,      &s.unprivileged,
                                   &s.chroot,    &s.wakeup, &s.process_limit};
    std::string out;
    for (std::size_t i = 0; i < 7; ++i) {
        if (out.size() < columns[i]) out.resize(columns[i], ' ');
        else if (i > 0) out += ' ';
        out += *fields[i];
    }
    if (out.size() < columns[7]) out.resize(columns[7], ' ');
    else out += ' ';
    std::size_t len = out.size();
    bool first = true;
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (first) {
            out += command[i];
            len += command[i].size();
            first = false;
            continue;
        }
        // "-o name=value" stays together and starts its own line when folding.
        if (command[i] == "-o" && i + 1 < command.size()) {
            add_word(out, len, "-o " + command[i + 1], fold, true, service_line_limit);
            ++i;
            continue;
        }
        add_word(out, len, command[i], fold, false, service_line_limit);
    }
    emit(out);
}

void flush_output() {
    std::fwrite(pending().data(), 1, pending().size(), stdout);
    std::fflush(stdout);
    pending().clear();
}

void print_field(const config::MasterService &s, std::string_view field, std::string_view value) {
    std::string line = s.name() + "/" + std::string(field) + " =";
    if (!value.empty()) line += " " + std::string(value);
    emit(line);
}

} // namespace ferry::cmd::conf
