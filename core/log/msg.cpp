// msg.cpp - see msg.h.
#include "log/msg.h"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ferry::msg {
namespace {

std::string g_program = "ferry";
bool g_syslog = false;
bool g_stderr = true;
bool g_throw = false;
unsigned g_warnings = 0;

void emit(int priority, std::string_view level, std::string_view text) {
    if (g_stderr) {
        std::string line = g_program + ": ";
        if (!level.empty()) {
            line += level;
            line += ": ";
        }
        line += text;
        line += '\n';
        // One write per line so lines from several processes never interleave.
        [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
    }
    if (g_syslog) {
        std::string body(level);
        if (!body.empty()) body += ": ";
        body += text;
        ::syslog(priority, "%s", body.c_str());
    }
}

} // namespace

void set_program(std::string_view name) {
    g_program = std::string(name);
    if (g_syslog) {
        ::closelog();
        ::openlog(g_program.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
}

const std::string &program() { return g_program; }

void enable_syslog(bool also_stderr) {
    g_syslog = true;
    g_stderr = also_stderr;
    ::openlog(g_program.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
}

unsigned warning_count() { return g_warnings; }

void quiet(bool enable) { g_stderr = !enable; }

void info(std::string_view text) { emit(LOG_INFO, "", text); }

void warning(std::string_view text) {
    ++g_warnings;
    emit(LOG_WARNING, "warning", text);
}

void error(std::string_view text) { emit(LOG_ERR, "error", text); }

void fatal(std::string_view text) { fatal_status(1, text); }

void fatal_status(int status, std::string_view text) {
    if (g_throw) throw FatalError{std::string(text)};
    emit(LOG_CRIT, "fatal", text);
    std::exit(status);
}

void panic(std::string_view text) {
    emit(LOG_CRIT, "panic", text);
    std::abort();
}

void throw_on_fatal(bool enable) { g_throw = enable; }

} // namespace ferry::msg
