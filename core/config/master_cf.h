// master_cf.h - master.cf: one service per logical line, eight columns.
//
//   service type private unpriv chroot wakeup maxproc command [args...]
//
// type is inet, unix, unix-dgram, fifo or pass.  A "-" keeps the built-in
// default; Postfix 3.7's defaults are private y, unpriv y, chroot n (since
// Postfix 3.0), wakeup 0, maxproc $default_process_limit.  `-o name=value`
// arguments right after the command override main.cf parameters for this
// service only; the first other argument ends them.  Fields keep their text
// as written ("-", "1000?") so postconf -M/-F can print them unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::config {

struct ServiceOverride {
    std::string name;
    std::string value; // unexpanded
};

struct MasterService {
    std::string service; // "smtp", "127.0.0.1:smtp"
    std::string type;    // "inet", "unix", ...
    std::string private_; // the columns as written
    std::string unprivileged;
    std::string chroot;
    std::string wakeup;
    std::string process_limit;
    std::vector<std::string> command; // command name and its arguments
    std::vector<ServiceOverride> overrides; // the -o name=value arguments
    int line = 0;

    // The meaning of the "-" columns.
    bool is_private() const { return private_ == "-" ? true : private_ == "y"; }
    bool is_unprivileged() const { return unprivileged == "-" ? true : unprivileged == "y"; }
    bool is_chroot() const { return chroot == "y"; }
    int wakeup_seconds() const; // 0 when "-"
    bool wakeup_only_when_used() const { return !wakeup.empty() && wakeup.back() == '?'; }

    std::string name() const { return service + "/" + type; }
    std::string command_line() const; // command and arguments joined by one space
};

// Parses master.cf text; bad lines are fatal with Postfix's words
// ("file PATH: line N: bad field count", "invalid chroot field ...").
std::vector<MasterService> parse_master_cf(std::string_view text, std::string_view path);

// Whitespace-separated words, as master.cf fields and postconf's output
// are split.
std::vector<std::string> split_fields(std::string_view s);

} // namespace ferry::config
