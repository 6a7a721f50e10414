// msg.h - Postfix-style diagnostics: "prog: warning: text", "prog: fatal: text".
//
// Every failure becomes one line naming what it concerns (file and line,
// table, client).  `fatal` is for what the administrator must fix and exits
// with status 1; `panic` is for what the programmer must fix and aborts.
// Lines go to stderr (commands) and, once enabled, to syslog (daemons).
#pragma once

#include <string>
#include <string_view>

namespace ferry::msg {

// The program name shown before every line ("postmap", "postfix/smtpd").
void set_program(std::string_view name);
const std::string &program();

// Send lines to syslog (facility mail) as well as, or instead of, stderr.
void enable_syslog(bool also_stderr);

// Also write every line to a file in syslog's shape, as Postfix's
// maillog_file does: "Mon DD HH:MM:SS host program[pid]: level: text".
// Opened for appending, one write() per line, so processes sharing the
// file never interleave.  Returns false (errno set) when it cannot be
// opened; an empty path closes the file.
bool log_to_file(const std::string &path);

// Syslog's shape of one line at `now` (seconds since the epoch), for the
// log file and for tests.
std::string format_log_line(long now, std::string_view host, std::string_view program,
                            long pid, std::string_view body);

// Drop stderr output (fuzzers: their own reports need stderr).
void quiet(bool enable);

// Counts warnings since start; commands such as `postfix check` use it.
unsigned warning_count();

void info(std::string_view text);
void warning(std::string_view text);
void error(std::string_view text);
[[noreturn]] void fatal(std::string_view text);
// fatal() with another exit status (75, EX_TEMPFAIL, for "try again").
[[noreturn]] void fatal_status(int status, std::string_view text);
[[noreturn]] void panic(std::string_view text);

// Tests replace the exit in fatal() with an exception so they can observe it.
struct FatalError {
    std::string text;
};
void throw_on_fatal(bool enable);

} // namespace ferry::msg
