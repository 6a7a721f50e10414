// master.cpp - see master.h.
#include "master/master.h"

#include "config/config.h"
#include "config/values.h"
#include "ferry_build_config.h"
#include "log/msg.h"
#include "master/listen.h"
#include "master/pid_file.h"
#include "master/privileges.h"
#include "master/table_watch.h"
#include "queue/queue_dirs.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <vector>

namespace ferry::master {
namespace {

using Clock = std::chrono::steady_clock;

// Postfix services and where their work is done in Ferry.
struct Disposition {
    const char *command;
    const char *what; // "run", or the explanation
};
constexpr Disposition dispositions[] = {
    {"smtpd", "run"},
    {"qmgr", "run"},
    {"local", "run"}, // one process per delivery, when qmgr connects
    {"pickup", "run"},
    {"cleanup", "folded into smtpd and pickup"},
    {"trivial-rewrite", "folded into the services that resolve addresses"},
    {"anvil", "folded into smtpd (connection and rate limits)"},
    {"scache", "folded into the SMTP client"},
    {"tlsmgr", "folded into smtpd (OpenSSL session cache)"},
    {"proxymap", "run"}, // one process per connection, for chrooted services' proxy: tables
    {"postlogd", "folded into every service (maillog_file)"},
    {"showq", "folded into postqueue"},
};

struct Child {
    pid_t pid = 0;
    std::string service; // "smtp/inet"
    int generation = 0;
    Clock::time_point started;
    bool on_demand = false; // one connection's process: never restarted
};

struct Running {
    const config::MasterService *row = nullptr;
    std::vector<int> fds; // listeners handed to the process
    Clock::time_point restart_at{};
    bool pending = false;
    // local and proxymap: the master listens on private/<service> and
    // starts one process per connection (qmgr's delivery request, a
    // chrooted service's table lookups), up to maxproc, as Postfix's
    // master does.  The process gets the connection as fd 3 and the
    // master's privileges (local's unpriv column is n), which a queue
    // manager running as mail_owner could not give it.
    bool on_demand = false;
    int limit = 0; // maxproc; 0: no limit
};

// The master.cf command whose processes the master starts per connection.
bool started_on_demand(const std::string &command) { return command == "local" || command == "proxymap"; }

class Master {
public:
    explicit Master(const MasterOptions &opt) : opt_(opt), master_pid_(::getpid()) {}

    int run() {
        sigset_t set;
        sigemptyset(&set);
        for (int s : {SIGCHLD, SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, s);
        sigprocmask(SIG_BLOCK, &set, nullptr);
        int signals = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (signals < 0) msg::fatal(std::string("signalfd: ") + std::strerror(errno));
        if (!load()) return 1;
        start_all();
        msg::info("daemon started -- version " + std::string(version()) + ", configuration " +
                  opt_.config_dir);
        bool stop = false;
        int stop_signal = SIGTERM;
        while (!stop) {
            // The signals, and the on-demand listeners with room for one
            // more process.
            std::vector<pollfd> polled{{signals, POLLIN, 0}};
            std::vector<std::string> owners{""};
            for (const auto &[name, r] : services_) {
                if (!r.on_demand || (r.limit > 0 && busy(name) >= r.limit)) continue;
                for (int fd : r.fds) {
                    polled.push_back({fd, POLLIN, 0});
                    owners.push_back(name);
                }
            }
            if (::poll(polled.data(), polled.size(), 1000) < 0 && errno != EINTR)
                msg::fatal(std::string("poll: ") + std::strerror(errno));
            bool hup = false;
            signalfd_siginfo si{};
            while (::read(signals, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                    stop = true;
                    stop_signal = static_cast<int>(si.ssi_signo);
                }
                if (si.ssi_signo == SIGHUP) hup = true;
            }
            if (stop) break;
            reap();
            for (size_t i = 1; i < polled.size(); ++i)
                if ((polled[i].revents & POLLIN) && !hup) accept_one(owners[i], polled[i].fd);
            if (hup) reload();
            restart_due();
            if (Clock::now() >= next_watch_) {
                next_watch_ = Clock::now() + std::chrono::seconds(1);
                // A new resolv.conf (DHCP, a VPN) reaches the chrooted
                // services without a restart: glibc rereads a changed one.
                refresh_chroot_files();
                if (std::string table = watch_.changed(); !table.empty()) {
                    msg::info("table " + table + " has changed -- restarting");
                    reload();
                }
            }
        }
        stop_all(stop_signal);
        ::close(signals);
        return 0;
    }

private:
    static const char *version();

    bool load() {
        cfg_ = Config::load(opt_.config_dir);
        std::string queue = cfg_.get("queue_directory").value_or("");
        bool starting = !pid_file_.is_open();
        prepare_queue(queue, starting);
        std::string pid_dir = queue + "/" + cfg_.get("process_id_directory").value_or("pid");
        if (starting && !pid_file_.acquire(pid_dir + "/master.pid")) return false;
        if (starting) purge_leftovers(queue);
        if (auto t = cfg_.get("service_throttle_time")) throttle_ = config::time_seconds(*t, 60);
        services_.clear();
        std::string chrooted;
        for (const auto &row : cfg_.services()) {
            std::string command = row.command.empty() ? "" : row.command[0];
            std::string what = service_disposition(command, row.type);
            if (what != "run") {
                msg::info("service " + row.name() + " (" + command + "): " + what);
                continue;
            }
            if (row.is_chroot()) chrooted += (chrooted.empty() ? "" : ", ") + row.name();
            Running r;
            r.row = &row;
            if (row.type == "inet" && !open_listeners(row, r.fds)) continue;
            if (started_on_demand(command)) {
                r.on_demand = true;
                r.limit = process_limit(row);
                if (!open_unix_listener_for(row, queue, r.fds)) continue;
            }
            services_[row.name()] = r;
        }
        // Chrooted services need a few files from /etc inside the queue;
        // chroot needs root, so a master run by another user says so once.
        has_chroot_ = !chrooted.empty();
        refresh_chroot_files();
        if (!chrooted.empty() && !privileged_ && !chroot_reported_) {
            msg::info(cfg_.master_cf_path() + ": chroot needs root; not applied (" + chrooted + ")");
            chroot_reported_ = true;
        }
        watch_.reset(cfg_);
        return true;
    }

    // The files chrooted services need from /etc, copied when they
    // changed; a problem is logged when it first appears, not every second.
    void refresh_chroot_files() {
        if (!privileged_ || !has_chroot_) return;
        auto warnings = copy_chroot_files(cfg_.get("queue_directory").value_or(""));
        if (warnings != copy_warnings_)
            for (const auto &w : warnings) msg::warning(w);
        copy_warnings_ = std::move(warnings);
    }

    // The queue directories, and at start as root their owners and modes
    // (postfix set-permissions) and the mail_owner checks.  A reload that
    // names a bad mail_owner keeps the master running: the services of the
    // new generation refuse to start, each with the fatal text.
    void prepare_queue(const std::string &queue, bool starting) {
        privileged_ = running_as_root();
        if (!privileged_) {
            if (auto made = queue::create_queue_dirs(queue); !made.ok()) msg::warning(made.text());
            return;
        }
        if (std::string why = find_mail_owner(cfg_, owner_); !why.empty()) {
            if (starting) msg::fatal(why);
            msg::warning(why);
            return;
        }
        if (!starting) return;
        std::vector<std::string> notes;
        auto fixed = queue::set_queue_permissions(queue, owner_.uid, owner_.setgid_gid, notes);
        if (!fixed.ok()) msg::warning(fixed.text());
        for (const auto &n : notes) msg::warning(n);
    }

    // Temporary queue files an earlier run left (a crash between creating
    // a file and its rename), as `postfix start` runs postsuper -p.  The
    // lock file is ours, so no service of this instance writes incoming/
    // yet: every one there goes.  maildrop/ is written by sendmail without
    // the master, so there and elsewhere only those a day old.  Removing a
    // file still being written loses nothing: its writer's rename fails
    // and the client is told so, it never saw "queued".
    void purge_leftovers(const std::string &queue) {
        std::vector<std::string> warnings;
        std::time_t now = std::time(nullptr);
        // now + 2: a file's time stamp may run a clock tick ahead of time()
        // (fine-grained file times against the coarse clock), into the
        // next second.
        auto removed = queue::purge_temporary_files(queue, {queue::incoming_dir}, now + 2, warnings);
        auto old = queue::purge_temporary_files(
            queue, {queue::maildrop_dir, queue::active_dir, queue::deferred_dir, queue::hold_dir},
            now - queue::temporary_file_max_age, warnings);
        removed.insert(removed.end(), old.begin(), old.end());
        for (const auto &path : removed) msg::info(path + ": removed temporary file left by an earlier run");
        for (const auto &w : warnings) msg::warning(w);
    }

    int process_limit(const config::MasterService &row) const {
        std::string v = row.process_limit;
        if (v == "-" || v.empty()) v = cfg_.get("default_process_limit").value_or("100");
        try {
            return std::max(0, std::stoi(v));
        } catch (...) {
            return 100;
        }
    }

    // $queue_directory/private/<service>, owned by mail_owner so that qmgr
    // can connect when it runs as mail_owner.
    bool open_unix_listener_for(const config::MasterService &row, const std::string &queue,
                                std::vector<int> &fds) {
        std::string path = queue + "/" + std::string(queue::private_dir) + "/" + row.service;
        uid_t owner = privileged_ ? owner_.uid : static_cast<uid_t>(-1);
        return listener("unix:" + path, row, fds,
                        [&](std::string &why) { return open_unix_listener(path, 100, owner, why); });
    }

    // The listener known as `key` (kept across reloads), else a new one from
    // `open`; false, with a warning naming the service, when there is none.
    template <class Open>
    bool listener(const std::string &key, const config::MasterService &row, std::vector<int> &fds, Open open) {
        int fd;
        if (auto known = listeners_.find(key); known != listeners_.end()) {
            fd = known->second;
        } else {
            std::string why;
            fd = open(why);
            if (fd < 0) {
                msg::warning("service " + row.name() + ": " + why);
                return false;
            }
            listeners_[key] = fd;
        }
        fds.push_back(fd);
        return true;
    }

    int busy(const std::string &name) const {
        int n = 0;
        for (const auto &c : children_) n += c.on_demand && c.service == name;
        return n;
    }

    // One connection on an on-demand listener: its own process.
    void accept_one(const std::string &name, int listener) {
        auto r = services_.find(name);
        if (r == services_.end()) return;
        int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                msg::warning("accept on service " + name + ": " + std::strerror(errno));
            return;
        }
        pid_t pid = fork();
        if (pid < 0) {
            // The client sees the connection close and retries later.
            msg::warning("fork: " + std::string(std::strerror(errno)));
        } else if (pid == 0) {
            exec_service(name, *r->second.row, {conn}); // never returns
        } else {
            children_.push_back({pid, name, generation_, Clock::now(), true});
        }
        ::close(conn);
    }

    bool open_listeners(const config::MasterService &row, std::vector<int> &fds) {
        auto where = inet_endpoints(row.service, cfg_.get("inet_interfaces").value_or("all"),
                                    cfg_.get("inet_protocols").value_or("all"));
        if (!where.error.empty()) {
            msg::warning(cfg_.master_cf_path() + ": line " + std::to_string(row.line) + ": " + where.error);
            return false;
        }
        for (const auto &e : where.endpoints)
            if (!listener(e.text(), row, fds, [&](std::string &why) { return open_listener(e, 100, why); }))
                return false;
        return true;
    }

    void start_all() {
        for (auto &[name, r] : services_)
            if (!r.on_demand) start(name, r);
    }

    void start(const std::string &name, Running &r) {
        r.pending = false;
        pid_t pid = fork();
        if (pid < 0) {
            msg::warning("fork: " + std::string(std::strerror(errno)));
            r.pending = true;
            r.restart_at = Clock::now() + std::chrono::seconds(throttle_);
            return;
        }
        if (pid == 0) exec_service(name, *r.row, r.fds); // never returns
        children_.push_back({pid, name, generation_, Clock::now(), false});
    }

    // The service drops its own privileges (privileges.h) once it has
    // opened its tables: it starts with the master's.
    [[noreturn]] void exec_service(const std::string &name, const config::MasterService &row,
                                   const std::vector<int> &fds) {
        // A service does not outlive its master: a new master must be able
        // to take the listeners over (Postfix's services watch a pipe).
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != master_pid_) ::_exit(1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        // The listeners become fds 3, 4, ... in the service.
        std::vector<int> moved;
        for (int fd : fds) moved.push_back(fcntl(fd, F_DUPFD_CLOEXEC, 100));
        for (size_t i = 0; i < moved.size(); ++i) dup2(moved[i], 3 + static_cast<int>(i));
        setenv("FERRY_LISTEN_FDS", std::to_string(moved.size()).c_str(), 1);
        std::string command = row.command[0];
        std::vector<std::string> args = {opt_.self, "service", command, "-c", opt_.config_dir, "-s", name};
        std::vector<char *> argv;
        for (auto &a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(opt_.self.c_str(), argv.data());
        msg::fatal("exec " + opt_.self + ": " + std::strerror(errno));
    }

    void reap() {
        int status = 0;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (auto it = children_.begin(); it != children_.end(); ++it) {
                if (it->pid != pid) continue;
                Child c = *it;
                children_.erase(it);
                exited(c, status);
                break;
            }
        }
    }

    void exited(const Child &c, int status) {
        bool abnormal = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        bool ended_by_us = stopping_ && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
        if (abnormal && !ended_by_us) {
            std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                                  : "exit status " + std::to_string(WEXITSTATUS(status));
            msg::warning("process " + opt_.self + " pid " + std::to_string(c.pid) + " " + how);
        }
        if (c.generation != generation_ || c.on_demand) return; // drained, or one delivery done
        auto r = services_.find(c.service);
        if (r == services_.end()) return;
        // A process that dies soon after its start is restarted only after
        // service_throttle_time, so a broken service does not spin.
        auto lived = Clock::now() - c.started;
        r->second.pending = true;
        r->second.restart_at = Clock::now();
        if (abnormal && lived < std::chrono::seconds(2)) {
            msg::warning(c.service + ": bad command startup -- throttling");
            r->second.restart_at += std::chrono::seconds(throttle_);
        }
    }

    void restart_due() {
        for (auto &[name, r] : services_)
            if (r.pending && Clock::now() >= r.restart_at) start(name, r);
    }

    void reload() {
        msg::info("reload -- version " + std::string(version()) + ", configuration " + opt_.config_dir);
        ++generation_;
        // The old generation stops accepting and exits when its sessions end.
        for (const auto &c : children_) kill(c.pid, SIGUSR1);
        // Listeners that stay keep their sockets (load() reuses them), so
        // no connection is refused during a reload.
        load();
        std::set<int> used;
        for (const auto &[name, r] : services_) used.insert(r.fds.begin(), r.fds.end());
        for (auto it = listeners_.begin(); it != listeners_.end();) {
            if (!used.count(it->second)) {
                close(it->second);
                if (it->first.starts_with("unix:")) ::unlink(it->first.substr(5).c_str());
                it = listeners_.erase(it);
            } else {
                ++it;
            }
        }
        start_all();
    }

    // As Postfix's master, the services it ends itself are not reported
    // as having died.
    void stop_all(int sig) {
        msg::info("terminating on signal " + std::to_string(sig));
        stopping_ = true;
        for (const auto &c : children_) kill(c.pid, SIGTERM);
        auto deadline = Clock::now() + std::chrono::seconds(10);
        while (!children_.empty() && Clock::now() < deadline) {
            reap();
            if (!children_.empty()) usleep(20000);
        }
        for (const auto &c : children_) kill(c.pid, SIGKILL);
        reap();
    }

    MasterOptions opt_;
    Config cfg_ = Config::from_text("", "");
    PidFile pid_file_;
    std::map<std::string, Running> services_;
    std::map<std::string, int> listeners_;
    std::vector<Child> children_;
    int generation_ = 0;
    int throttle_ = 60;
    bool stopping_ = false; // stop_all() has told every service to end
    pid_t master_pid_;
    bool privileged_ = false; // started by root: services drop to owner_
    MailOwner owner_;
    bool chroot_reported_ = false;
    bool has_chroot_ = false; // some row runs chrooted
    std::vector<std::string> copy_warnings_;
    TableWatch watch_; // tables whose change starts a new generation
    Clock::time_point next_watch_{};
};

const char *Master::version() { return FERRY_VERSION; }

} // namespace

std::string service_disposition(const std::string &command, const std::string &type) {
    for (const auto &d : dispositions)
        if (command == d.command) return d.what;
    if (type == "inet") return "not yet available in Ferry; not started";
    return "not yet available in Ferry; not started";
}

int run_master(const MasterOptions &opt) {
    Master m(opt);
    return m.run();
}

} // namespace ferry::master
