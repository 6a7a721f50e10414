// postfix.cpp - `ferry start|start-fg|stop|reload|status|check`, also run
// as `postfix [-c dir] command`, with Postfix's words for each outcome.
//
// start runs the master in the background (it detaches from the terminal);
// start-fg runs it in the foreground, for containers and tests.  stop and
// reload signal the master named by the pid file; status reads it.
#include "cmd/commands.h"
#include "config/config.h"
#include "log/msg.h"
#include "master/master.h"
#include "master/pid_file.h"
#include "master/privileges.h"
#include "queue/queue_dirs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace ferry::cmd {
namespace {

std::string self_exe() {
    std::string self = self_executable();
    if (self.empty()) msg::fatal("readlink /proc/self/exe: " + std::string(std::strerror(errno)));
    return self;
}

std::string pid_path(const Config &cfg) {
    return cfg.get("queue_directory").value_or("") + "/" +
           cfg.get("process_id_directory").value_or("pid") + "/master.pid";
}

// Daemons log to maillog_file when it is set, else to syslog.
void open_log(const Config &cfg, bool also_stderr) {
    std::string file = cfg.get("maillog_file").value_or("");
    if (!file.empty()) {
        if (!msg::log_to_file(file))
            msg::fatal("open maillog_file " + file + ": " + std::strerror(errno));
        msg::quiet(!also_stderr);
    } else {
        msg::enable_syslog(also_stderr);
    }
}

std::string syslog_name(const Config &cfg) { return cfg.get("syslog_name").value_or("postfix"); }

int usage() {
    msg::error("usage: postfix [-c config_dir] start|start-fg|stop|abort|reload|status|check|flush|set-permissions");
    return 1;
}

// Postfix's set-permissions (postfix-files): the queue's owners and modes,
// as a master started by root sets them, and the postdrop program beside
// this executable made root:setgid_group mode 2755, so that every local
// user can submit mail through sendmail.  A link is never followed.
int set_permissions(const Config &cfg) {
    if (!master::running_as_root()) msg::fatal("set-permissions: only the super-user may change the permissions");
    master::MailOwner owner;
    if (std::string why = master::find_mail_owner(cfg, owner); !why.empty()) msg::fatal(why);
    std::string queue = cfg.get("queue_directory").value_or("");
    if (auto made = queue::create_queue_dirs(queue); !made.ok()) msg::fatal(made.text());
    std::vector<std::string> notes;
    auto fixed = queue::set_queue_permissions(queue, owner.uid, owner.setgid_gid, notes);
    for (const auto &n : notes) msg::warning(n);
    if (!fixed.ok()) msg::fatal(fixed.text());
    std::string postdrop = postdrop_program();
    if (postdrop.empty()) self_exe(); // names why it is unknown, fatally
    int fd = ::open(postdrop.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st {};
    std::string why;
    if (fd < 0 || ::fstat(fd, &st) != 0) why = std::strerror(errno);
    else if (!S_ISREG(st.st_mode)) why = "not a regular file";
    else if (::fchown(fd, 0, owner.setgid_gid) != 0 || ::fchmod(fd, 02755) != 0) why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    if (!why.empty()) msg::fatal("set-permissions: " + postdrop + ": " + why);
    msg::info("set-permissions: " + postdrop + ": owner root, group " + owner.group + ", mode 2755");
    return 0;
}

int check(const Config &cfg, bool chroot_copies = false) {
    unsigned before = msg::warning_count();
    cfg.warn_undefined();
    // As postfix-script's check (`postfix start` refreshes the copies).
    if (chroot_copies)
        for (const auto &w : master::stale_chroot_files(cfg.get("queue_directory").value_or("")))
            msg::warning(w);
    for (const auto &row : cfg.services()) {
        std::string command = row.command.empty() ? "" : row.command[0];
        std::string what = master::service_disposition(command, row.type);
        if (what != "run") msg::info("service " + row.name() + " (" + command + "): " + what);
    }
    return msg::warning_count() == before ? 0 : 1;
}

} // namespace

std::string self_executable() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string postdrop_program() {
    std::string self = self_executable();
    auto slash = self.rfind('/');
    return slash == std::string::npos ? std::string() : self.substr(0, slash + 1) + "postdrop";
}

int postfix_main(int argc, char **argv) {
    std::string dir, command;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-c") == 0 && i + 1 < argc) dir = argv[++i];
        else if (std::strcmp(argv[i], "-v") == 0 || std::strcmp(argv[i], "-D") == 0) continue;
        else if (argv[i][0] != '-' && command.empty()) command = argv[i];
        else return usage();
    }
    if (command.empty()) return usage();
    if (dir.empty()) dir = Config::default_directory();
    Config cfg = Config::load(dir);
    std::string pidfile = pid_path(cfg);
    pid_t running = master::PidFile::running(pidfile);
    msg::set_program(syslog_name(cfg) + "/postfix-script");

    if (command == "status") {
        if (running) {
            msg::info("the Postfix mail system is running: PID: " + std::to_string(running));
            return 0;
        }
        msg::info("the Postfix mail system is not running");
        return 1;
    }
    if (command == "flush") { // postfix-script runs postqueue -f
        msg::set_program(syslog_name(cfg) + "/postqueue");
        return flush_queue(dir);
    }
    // Postfix checks mail_owner and setgid_group before anything else; a
    // master started by root needs them (master/privileges.h).
    if ((command == "start" || command == "start-fg" || command == "check") && master::running_as_root()) {
        master::MailOwner owner;
        if (std::string why = master::find_mail_owner(cfg, owner); !why.empty()) msg::fatal(why);
    }
    if (command == "check") return check(cfg, true);
    if (command == "set-permissions") return set_permissions(cfg);
    if (command == "stop" || command == "reload" || command == "abort") {
        if (!running) msg::fatal("the Postfix mail system is not running");
        if (command == "reload") {
            msg::info("refreshing the Postfix mail system");
            return ::kill(running, SIGHUP) == 0 ? 0 : 1;
        }
        msg::info("stopping the Postfix mail system");
        if (::kill(running, SIGTERM) != 0) return 1;
        // Postfix's script waits, saying so, then forces.
        for (int w = 0; w < 300 && master::PidFile::running(pidfile); ++w) {
            if (w == 20) msg::info("waiting for the Postfix mail system to terminate");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!master::PidFile::running(pidfile)) return 0;
        msg::warning("stopping the Postfix mail system with force");
        return ::kill(running, SIGKILL) == 0 ? 0 : 1;
    }
    if (command != "start" && command != "start-fg") return usage();
    if (running) msg::fatal("the Postfix mail system is already running");
    if (check(cfg) != 0) msg::warning("configuration problems; starting anyway");
    msg::info("starting the Postfix mail system");
    master::MasterOptions opt;
    opt.config_dir = dir;
    opt.self = self_exe();
    if (command == "start") {
        pid_t pid = ::fork();
        if (pid < 0) msg::fatal("fork: " + std::string(std::strerror(errno)));
        if (pid > 0) {
            // Return once the master holds its pid file (or has given up).
            for (int w = 0; w < 100 && !master::PidFile::running(pidfile); ++w)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            return master::PidFile::running(pidfile) ? 0 : 1;
        }
        ::setsid();
        int null = ::open("/dev/null", O_RDWR);
        for (int fd : {0, 1, 2}) ::dup2(null, fd);
        if (null > 2) ::close(null);
    }
    msg::set_program(syslog_name(cfg) + "/master");
    open_log(cfg, command == "start-fg");
    return master::run_master(opt);
}

} // namespace ferry::cmd
