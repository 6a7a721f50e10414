// master_cf.cpp - see master_cf.h.
#include "config/master_cf.h"

#include "config/logical_lines.h"
#include "log/msg.h"

#include <cctype>
#include <cstdlib>

namespace ferry::config {

std::vector<std::string> split_fields(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        std::size_t b = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > b) out.emplace_back(s.substr(b, i - b));
    }
    return out;
}

namespace {

bool is_yes_no(const std::string &f) { return f == "-" || f == "y" || f == "n"; }

bool is_number(std::string_view f) {
    if (f.empty()) return false;
    for (char c : f)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

} // namespace

int MasterService::wakeup_seconds() const {
    return wakeup == "-" ? 0 : std::atoi(wakeup.c_str());
}

std::string MasterService::command_line() const {
    std::string out;
    for (const auto &a : command) {
        if (!out.empty()) out += ' ';
        out += a;
    }
    return out;
}

std::vector<MasterService> parse_master_cf(std::string_view text, std::string_view path) {
    std::vector<MasterService> services;
    for (auto &ll : read_logical_lines(text, path)) {
        auto f = split_fields(ll.text);
        if (f.size() < 8)
            msg::fatal("file " + std::string(path) + ": line " + std::to_string(ll.line) +
                       ": bad field count");
        std::string joined;
        for (const auto &x : f) joined += (joined.empty() ? "" : " ") + x;
        auto invalid = [&](std::string_view column, const std::string &value) {
            msg::fatal("invalid " + std::string(column) + " field \"" + value + "\" in \"" + joined +
                       "\"");
        };
        MasterService s;
        s.service = f[0];
        s.type = f[1];
        s.private_ = f[2];
        s.unprivileged = f[3];
        s.chroot = f[4];
        s.wakeup = f[5];
        s.process_limit = f[6];
        s.line = ll.line;
        if (s.type != "inet" && s.type != "unix" && s.type != "unix-dgram" && s.type != "fifo" &&
            s.type != "pass")
            invalid("type", s.type);
        if (!is_yes_no(s.private_)) invalid("private", s.private_);
        if (!is_yes_no(s.unprivileged)) invalid("unprivileged", s.unprivileged);
        if (!is_yes_no(s.chroot)) invalid("chroot", s.chroot);
        std::string_view w = s.wakeup;
        if (w.size() > 1 && w.back() == '?') w.remove_suffix(1);
        if (s.wakeup != "-" && !is_number(w)) invalid("wakeup", s.wakeup);
        if (s.process_limit != "-" && !is_number(s.process_limit))
            invalid("process_limit", s.process_limit);
        s.command.assign(f.begin() + 7, f.end());
        // -o name=value and -o name= pairs directly after the command name;
        // other options (-v, -D) may sit between them.
        for (std::size_t i = 1; i < s.command.size(); ++i) {
            const std::string &a = s.command[i];
            if (a.empty() || a.front() != '-') break;
            if (a != "-o") continue;
            if (i + 1 >= s.command.size()) break;
            const std::string &nv = s.command[++i];
            auto eq = nv.find('=');
            if (eq == std::string::npos || eq == 0) continue;
            s.overrides.push_back({nv.substr(0, eq), nv.substr(eq + 1)});
        }
        services.push_back(std::move(s));
    }
    return services;
}

} // namespace ferry::config
