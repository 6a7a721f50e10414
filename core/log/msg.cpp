// msg.cpp - see msg.h.
#include "log/msg.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace ferry::msg {
namespace {

std::string g_program = "ferry";
bool g_syslog = false;
bool g_stderr = true;
bool g_throw = false;
unsigned g_warnings = 0;
int g_file = -1;

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
    std::string name(buf);
    // Syslog shows the short name.
    return name.substr(0, name.find('.'));
}

void write_file(std::string_view body) {
    static const std::string host = host_name();
    std::string line = format_log_line(static_cast<long>(std::time(nullptr)), host, g_program,
                                       static_cast<long>(::getpid()), body);
    line += '\n';
    [[maybe_unused]] auto n = ::write(g_file, line.data(), line.size());
}

void emit(int priority, std::string_view level, std::string_view text) {
    if (g_file >= 0) {
        std::string body(level);
        if (!body.empty()) body += ": ";
        body += text;
        write_file(body);
    }
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

bool log_to_file(const std::string &path) {
    if (g_file >= 0) {
        ::close(g_file);
        g_file = -1;
    }
    if (path.empty()) return true;
    g_file = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    return g_file >= 0;
}

std::string format_log_line(long now, std::string_view host, std::string_view program,
                            long pid, std::string_view body) {
    std::time_t t = static_cast<std::time_t>(now);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char stamp[32];
    // Syslog pads the day with a space: "Nov  9".
    std::strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
    std::string line = stamp;
    line += ' ';
    line += host;
    line += ' ';
    line += program;
    line += '[' + std::to_string(pid) + "]: ";
    line += body;
    return line;
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
