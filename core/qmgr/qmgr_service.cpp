// qmgr_service.cpp - see qmgr_service.h.
#include "qmgr/qmgr_service.h"

#include "config/config.h"
#include "config/values.h"
#include "log/msg.h"
#include "maps/catalog.h"
#include "maps/match_list.h"
#include "master/privileges.h"
#include "qmgr/channel.h"
#include "qmgr/defer_log.h"
#include "qmgr/delivery_log.h"
#include "qmgr/dsn_report.h"
#include "qmgr/notifier.h"
#include "qmgr/local_agent.h"
#include "qmgr/verify_local.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>

namespace ferry::qmgr {
namespace {

// The queue manager's words, in one place.
constexpr const char *remote_not_yet = "mail transport unavailable: remote delivery is not yet available in Ferry";
constexpr const char *agent_failed = agent_failure_text;
constexpr int incoming_scan_seconds = 5;

volatile std::sig_atomic_t stop_requested = 0;
void on_stop(int) { stop_requested = 1; }

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Queue ids in one queue directory (none if it cannot be read).
std::vector<std::string> queue_ids(const std::string &dir) {
    return queue::queue_ids_in(dir).value_or(std::vector<std::string>{});
}

class QueueManager {
public:
    QueueManager(const Config &cfg, const config::MasterService &row)
        : cfg_(cfg), row_(row), catalog_(catalog_options(cfg)),
          notifier_(NotifierSettings::from(get_param(cfg, row, "queue_directory"),
                                           [&](const char *name) { return get_param(cfg, row, name); })) {
        queue_ = get("queue_directory");
        run_delay_ = config::time_seconds(get("queue_run_delay"), 300);
        if (run_delay_ < 1) run_delay_ = 1;
        mydestination_ = std::make_unique<MatchList>(MatchList::parse(
            "mydestination", get("mydestination"), catalog_, get("parent_domain_matches_subdomains"),
            MatchListKind::domains));
        local_ = find_local_service();
    }

    int run() {
        auto made = queue::create_queue_dirs(queue_);
        if (!made.ok()) msg::fatal(made.text());
        struct sigaction sa{};
        sa.sa_handler = on_stop; // no SA_RESTART: poll() returns on a signal
        sigemptyset(&sa.sa_mask);
        for (int s : {SIGTERM, SIGUSR1, SIGINT}) ::sigaction(s, &sa, nullptr);
        ::signal(SIGPIPE, SIG_IGN);

        int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (watch < 0 || ::inotify_add_watch(watch, dir(queue::incoming_dir).c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
            msg::warning(std::string("inotify on incoming: ") + std::strerror(errno) + "; scanning every " +
                         std::to_string(incoming_scan_seconds) + "s");

        int trigger = open_trigger();

        // Crash recovery first: files a crash left under two names, then
        // what a previous qmgr left in active/.
        std::vector<std::string> warnings;
        for (const auto &name : queue::finish_interrupted_moves(queue_, warnings))
            msg::warning("queue file " + name + " had a second name in another queue (a move cut short by a crash):"
                         " name removed");
        for (const auto &w : warnings) msg::warning(w);
        for (const auto &id : queue_ids(dir(queue::active_dir))) {
            if (stop_requested) break;
            handle_active(id);
        }
        double next_incoming = 0, next_deferred = 0;
        while (!stop_requested) {
            double now = now_seconds();
            if (now >= next_incoming) {
                scan_incoming();
                next_incoming = now_seconds() + incoming_scan_seconds;
            }
            if (now >= next_deferred && !stop_requested) {
                scan_deferred();
                next_deferred = now_seconds() + run_delay_;
            }
            if (stop_requested) break;
            double wait = std::min(next_incoming, next_deferred) - now_seconds();
            int ms = wait <= 0 ? 0 : static_cast<int>(wait * 1000) + 1;
            pollfd p[2] = {{watch, POLLIN, 0}, {trigger, POLLIN, 0}}; // poll skips fd -1
            if (::poll(p, 2, ms) <= 0) continue;
            char buf[4096];
            if (p[0].revents & POLLIN) {
                while (::read(watch, buf, sizeof buf) > 0) {
                }
                next_incoming = 0; // something arrived: scan now
            }
            if (p[1].revents & POLLIN) {
                for (ssize_t n; (n = ::read(trigger, buf, sizeof buf)) > 0;) {
                    for (char c : std::string_view(buf, static_cast<size_t>(n))) {
                        // Postfix's qmgr requests (postqueue -f sends FADI).
                        if (c == 'I' || c == 'A') next_incoming = 0;
                        if (c == 'D' || c == 'A' || c == 'F') next_deferred = 0;
                    }
                }
            }
        }
        if (watch >= 0) ::close(watch);
        if (trigger >= 0) ::close(trigger);
        return 0;
    }

private:
    static std::string get_param(const Config &cfg, const config::MasterService &row, const char *name) {
        return cfg.service_get(row, name).value_or("");
    }
    std::string get(const char *name) const { return get_param(cfg_, row_, name); }
    std::string dir(std::string_view q) const { return queue_ + "/" + std::string(q); }
    std::string path(std::string_view q, const std::string &id) const { return queue::queue_file_path(queue_, q, id); }

    // local_transport ("local:$myhostname") names the master.cf service
    // that delivers to local users.
    const config::MasterService *find_local_service() const {
        std::string transport = get("local_transport");
        transport = transport.substr(0, transport.find(':'));
        for (const auto &s : cfg_.services())
            if (s.service == transport && s.type == "unix" && !s.command.empty() && s.command[0] == "local") return &s;
        return nullptr;
    }

    // Durably (see queue::move_durably): a plain rename could lose the
    // file in a crash on a file system without a journal.
    bool move(std::string_view from, std::string_view to, const std::string &id) {
        auto moved = queue::move_durably(path(from, id), path(to, id), dir(to));
        if (moved) return true;
        if (::access(path(from, id).c_str(), F_OK) == 0) msg::warning(moved.text());
        return false;
    }

    // public/qmgr, the FIFO through which postqueue -f and postfix flush
    // ask for a queue run now; -1 (with a warning) when it cannot be had.
    // Opened for reading and writing, so it never reports end of file.
    int open_trigger() {
        std::string path = queue_ + "/" + std::string(queue::qmgr_fifo);
        if (::mkfifo(path.c_str(), 0622) != 0 && errno != EEXIST) {
            msg::warning("mkfifo " + path + ": " + std::strerror(errno) + "; postqueue -f cannot reach qmgr");
            return -1;
        }
        int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        struct stat st{};
        if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
            msg::warning("open " + path + ": " + (fd < 0 ? std::strerror(errno) : "not a FIFO") +
                         "; postqueue -f cannot reach qmgr");
            if (fd >= 0) ::close(fd);
            return -1;
        }
        ::fchmod(fd, 0622); // whatever the umask was
        return fd;
    }

    void scan_incoming() {
        for (const auto &id : queue_ids(dir(queue::incoming_dir))) {
            if (stop_requested) return;
            if (move(queue::incoming_dir, queue::active_dir, id)) handle_active(id);
        }
    }

    void scan_deferred() {
        for (const auto &id : queue_ids(dir(queue::deferred_dir))) {
            if (stop_requested) return;
            if (move(queue::deferred_dir, queue::active_dir, id)) handle_active(id);
        }
    }

    bool is_local(const std::string &address, std::string &why) const {
        size_t at = address.rfind('@');
        if (at == std::string::npos) return true;
        auto m = mydestination_->match_domain(std::string_view(address).substr(at + 1));
        if (m.is_temp_fail()) why = m.reason;
        return m.matched();
    }

    void log_deferred(const queue::QueueFileReader &r, const std::string &to, const char *relay, double active,
                      const std::string &why) {
        DeliveryLine l;
        l.queue_id = r.queue_id();
        l.to = to;
        l.relay = relay;
        double arrival = static_cast<double>(r.envelope().arrival_us) / 1e6, now = now_seconds();
        l.delay = now - arrival;
        l.before_qmgr = active - arrival;
        l.in_qmgr = now - active;
        l.dsn = "4.3.0";
        l.status = "deferred";
        l.text = why;
        msg::info(format_delivery_line(l));
        record_deferred(r, to, "4.3.0", why);
    }

    // The defer logfile mailq shows ("(reason)" above the recipient).
    void record_deferred(const queue::QueueFileReader &r, const std::string &to, const std::string &dsn,
                         const std::string &why) {
        std::string orcpt;
        for (const auto &rc : r.envelope().recipients)
            if (rc.address == to) orcpt = rc.orcpt;
        auto failed = append_defer_record(queue_, r.queue_id(), {to, orcpt, dsn, why});
        if (!failed.empty()) msg::warning(failed);
    }

    void handle_active(const std::string &id) {
        double active = now_seconds();
        queue::QueueFileReader r;
        auto opened = r.open(path(queue::active_dir, id), queue::QueueFileReader::Mode::read_write);
        if (!opened.ok()) {
            if (opened.code() == queue::StatusCode::corrupt) {
                msg::warning("saving corrupt file \"" + id + "\" from queue \"active\" to queue \"corrupt\": " +
                             opened.text());
                move(queue::active_dir, queue::corrupt_dir, id);
            } else {
                msg::warning(opened.text());
                move(queue::active_dir, queue::deferred_dir, id);
            }
            return;
        }
        const auto &env = r.envelope();
        // size: the message content, as smtpd and pickup logged it (not
        // the whole file with its envelope records).
        msg::info(id + ": from=<" + env.sender + ">, size=" + std::to_string(r.content_size()) +
                  ", nrcpt=" + std::to_string(env.recipients.size()) + " (queue active)");
        // This attempt writes the reasons anew; the old ones are stale.
        auto stale = remove_defer_log(queue_, id);
        if (!stale.empty()) msg::warning(stale);
        auto flags = env.other_attributes.find("trace_flags");
        if (flags != env.other_attributes.end() && flags->second == "verify") {
            verify_message(r, id, active);
            return;
        }
        DeliveryAsk ask;
        ask.queue_id = id;
        ask.active_us = static_cast<std::uint64_t>(active * 1e6);
        for (size_t i = 0; i < env.recipients.size(); ++i) {
            const auto &rcpt = env.recipients[i];
            if (rcpt.done) continue;
            std::string why;
            if (is_local(rcpt.address, why)) {
                ask.recipients.push_back(i);
            } else if (!why.empty()) {
                log_deferred(r, rcpt.address, "none", active, why);
            } else {
                log_deferred(r, rcpt.address, "none", active, remote_not_yet);
            }
        }
        if (!ask.recipients.empty()) deliver_local(r, ask, active);
        finish(r, id);
    }

    void deliver_local(queue::QueueFileReader &r, const DeliveryAsk &ask, double active) {
        std::map<size_t, DeliveryAnswer> answers;
        std::string failure;
        if (!local_) failure = "mail transport unavailable: no local service in " + cfg_.master_cf_path();
        else failure = run_local_agent(cfg_, *local_, ask, answers);
        std::vector<DeliveryAnswer> bounced;
        for (size_t i : ask.recipients) {
            const auto &address = r.envelope().recipients[i].address;
            auto a = answers.find(i);
            if (a == answers.end()) {
                // Never answered: the agent crashed or never ran.  Deferred,
                // never assumed delivered.
                log_deferred(r, address, local_ ? "local" : "none", active,
                             failure.empty() ? agent_failed : failure);
                continue;
            }
            if (a->second.outcome == Outcome::deferred) {
                record_deferred(r, address, a->second.dsn, a->second.text); // local logged it
                continue;
            }
            if (a->second.outcome == Outcome::bounced) {
                bounced.push_back(a->second);
                continue;
            }
            auto marked = r.mark_recipient_done(i);
            if (!marked.ok()) msg::warning(marked.text());
        }
        // The notice is durable before the bounced recipients are marked
        // done: a crash in between costs a second notice, never the first.
        if (!bounced.empty() && !notifier_.send_bounce(r, bounced)) {
            for (const auto &b : bounced)
                record_deferred(r, r.envelope().recipients[b.index].address, "4.3.0",
                                "bounce notification could not be queued");
            return;
        }
        for (const auto &b : bounced) {
            auto marked = r.mark_recipient_done(b.index);
            if (!marked.ok()) msg::warning(marked.text());
        }
    }

    // sendmail -bv: nothing is delivered; every pending recipient is
    // checked and the sender gets a "Mail Delivery Status Report".
    void verify_message(queue::QueueFileReader &r, const std::string &id, double active) {
        if (!verifier_) verifier_ = std::make_unique<LocalVerifier>(cfg_, local_ ? *local_ : row_);
        const auto &env = r.envelope();
        std::vector<ReportRecipient> listed;
        for (const auto &rc : env.recipients) {
            if (rc.done) continue;
            std::string why;
            const char *relay = is_local(rc.address, why) ? "local" : "none";
            for (const auto &v : verifier_->verify(rc.address)) {
                const char *action = v.deliverable ? "deliverable" : "undeliverable";
                DeliveryLine l;
                l.queue_id = id;
                l.to = v.address;
                l.orig_to = v.expanded;
                l.relay = relay;
                double arrival = static_cast<double>(env.arrival_us) / 1e6, now = now_seconds();
                l.delay = now - arrival;
                l.before_qmgr = active - arrival;
                l.in_qmgr = now - active;
                l.dsn = v.status;
                l.status = action;
                l.text = v.reason;
                msg::info(format_delivery_line(l));
                listed.push_back({v.address, v.expanded, rc.orcpt, action, v.status, v.reason});
            }
        }
        if (notifier_.send_verify_report(r, std::move(listed))) {
            for (size_t i = 0; i < env.recipients.size(); ++i) {
                if (env.recipients[i].done) continue;
                auto marked = r.mark_recipient_done(i);
                if (!marked.ok()) msg::warning(marked.text());
            }
        }
        finish(r, id);
    }

    void finish(queue::QueueFileReader &r, const std::string &id) {
        // Only this reader marks recipients done, and mark_recipient_done
        // updates its envelope as well as the file: no need to read it again.
        bool all_done = true;
        for (const auto &rc : r.envelope().recipients) all_done = all_done && rc.done;
        r.close();
        if (all_done) {
            auto log = remove_defer_log(queue_, id);
            if (!log.empty()) msg::warning(log);
            if (::unlink(path(queue::active_dir, id).c_str()) == 0) msg::info(id + ": removed");
            else msg::warning("remove " + path(queue::active_dir, id) + ": " + std::strerror(errno));
            return;
        }
        move(queue::active_dir, queue::deferred_dir, id);
    }

    const Config &cfg_;
    const config::MasterService &row_;
    MapCatalog catalog_;
    std::string queue_;
    int run_delay_ = 300;
    std::unique_ptr<MatchList> mydestination_;
    const config::MasterService *local_ = nullptr;
    Notifier notifier_;
    std::unique_ptr<LocalVerifier> verifier_;
};

} // namespace

int run_qmgr_service(const Config &cfg, const config::MasterService &row) {
    QueueManager q(cfg, row);
    master::drop_service_privileges(cfg, row); // tables are open
    return q.run();
}

} // namespace ferry::qmgr
