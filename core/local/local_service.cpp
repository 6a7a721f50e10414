// local_service.cpp - see local_service.h.
#include "local/local_service.h"

#include "config/config.h"
#include "config/values.h"
#include "local/alias_targets.h"
#include "local/deliver_user.h"
#include "local/mailbox.h"
#include "log/msg.h"
#include "maps/catalog.h"
#include "maps/match_list.h"
#include "module/transport.h"
#include "qmgr/channel.h"
#include "qmgr/delivery_log.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <set>

namespace ferry::local {
namespace {

using qmgr::Outcome;

// Postfix's texts for what local cannot do yet, in one place.
constexpr const char *remote_not_yet = "mail transport unavailable: remote delivery is not yet available in Ferry";
constexpr int max_alias_depth = 10; // nested alias levels before giving up

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One place a queued recipient's mail ends: a user's mailbox, or a reason
// it cannot be delivered now (deferred) or ever (bounced).
struct Target {
    std::string to; // the final address
    std::string user;
    Outcome outcome = Outcome::sent; // sent: deliver to `user`
    std::string dsn, text;           // when not sent
};

class LocalAgent {
public:
    LocalAgent(const Config &cfg, const config::MasterService &row)
        : cfg_(cfg), row_(row), catalog_(catalog_options(cfg)), transports_(catalog_options(cfg)) {
        delimiter_ = get("recipient_delimiter");
        myorigin_ = get("myorigin");
        home_mailbox_ = get("home_mailbox");
        spool_ = get("mail_spool_directory");
        mydestination_ = std::make_unique<MatchList>(MatchList::parse(
            "mydestination", get("mydestination"), catalog_, get("parent_domain_matches_subdomains"),
            MatchListKind::domains));
        const std::string alias_maps = get("alias_maps"); // the items point into it
        for (const auto &spec : config::list_items(alias_maps)) {
            auto opened = catalog_.open(spec, map_flags::lookup_default);
            if (!opened.map) msg::warning("alias_maps: " + opened.error);
            aliases_.push_back({std::string(spec), std::move(opened.map)});
        }
    }

    int serve(int channel) {
        started_ = now_seconds();
        std::string text;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(channel, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            text.append(buf, static_cast<size_t>(n));
        }
        auto ask = qmgr::decode_ask(text);
        if (!ask) {
            msg::warning("malformed delivery request from qmgr");
            return 1;
        }
        std::string path = queue::queue_file_path(get("queue_directory"), queue::active_dir, ask->queue_id);
        queue::QueueFileReader reader;
        auto opened = reader.open(path);
        if (!opened.ok()) {
            msg::warning(opened.text());
            for (size_t i : ask->recipients)
                answer(channel, {i, Outcome::deferred, "4.3.0", "cannot read queue file"});
            return 0;
        }
        for (size_t i : ask->recipients) {
            if (i >= reader.envelope().recipients.size()) continue; // qmgr defers what is unanswered
            answer(channel, deliver_recipient(reader, *ask, i));
        }
        return 0;
    }

private:
    std::string get(const char *name) const { return cfg_.service_get(row_, name).value_or(""); }

    static void answer(int channel, const qmgr::DeliveryAnswer &a) {
        std::string line = qmgr::encode_answer(a);
        if (::send(channel, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
            msg::warning(std::string("cannot answer qmgr: ") + std::strerror(errno));
    }

    qmgr::DeliveryAnswer deliver_recipient(const queue::QueueFileReader &reader, const qmgr::DeliveryAsk &ask,
                                           size_t index) {
        const auto &env = reader.envelope();
        const std::string &rcpt = env.recipients[index].address;
        std::vector<Target> targets;
        std::set<std::string> expanded;
        expand(rcpt, 0, expanded, targets);
        qmgr::DeliveryAnswer result{index, Outcome::sent, "2.0.0", "delivered"};
        bool first = true;
        std::set<std::string> done_users; // one copy per mailbox (a duplicate filter)
        for (const auto &t : targets) {
            double start = now_seconds();
            Target r = t;
            if (t.outcome == Outcome::sent) {
                if (!done_users.insert(t.user).second) continue;
                r = deliver_to_user(reader, t, rcpt);
            }
            log_line(reader, ask, rcpt, r, start);
            if (first || qmgr::worse(result.outcome, r.outcome) != result.outcome) {
                result.outcome = r.outcome;
                result.dsn = r.dsn;
                result.text = r.text;
            }
            first = false;
        }
        if (targets.empty()) // an alias whose value lists nothing
            result = {index, Outcome::bounced, "5.1.1", "alias expands to nothing"};
        return result;
    }

    bool is_local_domain(const std::string &domain, std::string &why) const {
        if (domain.empty()) return true;
        auto m = mydestination_->match_domain(domain);
        if (m.is_temp_fail()) why = m.reason;
        return m.matched();
    }

    void expand(const std::string &address, int depth, std::set<std::string> &expanded, std::vector<Target> &out) {
        LocalName n = local_name(address, delimiter_);
        std::string why;
        if (!is_local_domain(n.domain, why)) {
            if (!why.empty()) out.push_back({address, "", Outcome::deferred, "4.3.0", why});
            else out.push_back({address, "", Outcome::deferred, "4.3.0", remote_not_yet});
            return;
        }
        if (!expanded.count(n.user) && depth < max_alias_depth) {
            std::vector<std::string> keys;
            if (!n.extension.empty()) keys.push_back(n.user + delimiter_.substr(0, 1) + n.extension);
            keys.push_back(n.user);
            for (const auto &key : keys) {
                for (const auto &[spec, map] : aliases_) {
                    if (!map) {
                        out.push_back({address, "", Outcome::deferred, "4.3.0", "alias_maps: " + spec + ": table is unavailable"});
                        return;
                    }
                    auto r = map->lookup(key);
                    if (r.is_temp_fail()) {
                        out.push_back({address, "", Outcome::deferred, "4.3.0", r.reason});
                        return;
                    }
                    if (!r.is_found()) continue;
                    expanded.insert(n.user);
                    for (const auto &t : parse_alias_value(r.value)) {
                        if (t.kind != AliasTargetKind::address) {
                            out.push_back({address, "", Outcome::deferred, "4.3.0",
                                           std::string("alias ") + key + ": delivery to " + alias_kind_name(t.kind) +
                                               " \"" + t.text + "\" is not yet supported"});
                            continue;
                        }
                        std::string target = t.text;
                        if (target.find('@') == std::string::npos) target += "@" + myorigin_;
                        expand(target, depth + 1, expanded, out);
                    }
                    return;
                }
            }
        } else if (depth >= max_alias_depth) {
            out.push_back({address, "", Outcome::bounced, "5.4.6", "mail forwarding loop for " + address});
            return;
        }
        struct passwd *pw = ::getpwnam(n.user.c_str());
        if (!pw) {
            out.push_back({address, "", Outcome::bounced, "5.1.1", "unknown user: \"" + n.user + "\""});
            return;
        }
        out.push_back({address, n.user, Outcome::sent, "", ""});
    }

    Target deliver_to_user(const queue::QueueFileReader &reader, const Target &t, const std::string &orig) {
        Target r = t;
        struct passwd *pw = ::getpwnam(t.user.c_str());
        if (!pw) return {t.to, t.user, Outcome::bounced, "5.1.1", "unknown user: \"" + t.user + "\""};
        UserCopy c;
        c.queue_id = reader.queue_id();
        c.sender = reader.envelope().sender;
        c.to = t.to;
        c.orig_to = orig;
        c.user = t.user;
        c.uid = pw->pw_uid;
        c.gid = pw->pw_gid;
        c.mailbox = mailbox_for(home_mailbox_, spool_, t.user, pw->pw_dir ? pw->pw_dir : "");
        if (c.mailbox.kind == MailboxKind::maildir) {
            c.maildir = maildir_for(c.mailbox.path, r);
            if (!c.maildir) return r;
        }
        c.fd = reader.fd();
        c.offset = reader.content_offset();
        c.size = reader.content_size();
        c.arrival = static_cast<std::time_t>(reader.envelope().arrival_us / 1000000);
        CopyResult got = deliver_user_copy(c);
        r.outcome = got.outcome;
        r.dsn = got.dsn;
        r.text = got.text;
        return r;
    }

    // The maildir module's directory= is a template, so each distinct
    // Maildir gets its own Transport, opened here (before the child drops
    // privileges) and kept for the rest of this process.
    module::Transport *maildir_for(const std::string &path, Target &r) {
        auto known = maildirs_.find(path);
        if (known != maildirs_.end()) return known->second.get();
        if (path.find("${") != std::string::npos) {
            r = {r.to, r.user, Outcome::deferred, "4.3.0", "mailbox path " + path + " cannot be used as a maildir directory"};
            return nullptr;
        }
        auto opened = transports_.open("maildir", row_.name(), {"maildir", "directory=" + path});
        if (!opened.transport) {
            msg::warning(opened.error);
            r = {r.to, r.user, Outcome::deferred, "4.3.0", "maildir transport is not available"};
            return nullptr;
        }
        return (maildirs_[path] = std::move(opened.transport)).get();
    }

    void log_line(const queue::QueueFileReader &reader, const qmgr::DeliveryAsk &ask, const std::string &orig,
                  const Target &r, double start) {
        double end = now_seconds();
        double arrival = static_cast<double>(reader.envelope().arrival_us) / 1e6;
        double active = static_cast<double>(ask.active_us) / 1e6;
        qmgr::DeliveryLine l;
        l.queue_id = reader.queue_id();
        l.to = r.to;
        l.orig_to = orig;
        l.relay = "local";
        l.delay = end - arrival;
        l.before_qmgr = active - arrival;
        l.in_qmgr = started_ - active;
        l.setup = start - started_;
        l.transmission = end - start;
        l.dsn = r.dsn;
        l.status = qmgr::outcome_name(r.outcome);
        l.text = r.text;
        msg::info(qmgr::format_delivery_line(l));
    }

    const Config &cfg_;
    const config::MasterService &row_;
    MapCatalog catalog_;
    module::TransportHost transports_;
    std::string delimiter_, myorigin_, home_mailbox_, spool_;
    std::unique_ptr<MatchList> mydestination_;
    std::vector<std::pair<std::string, std::unique_ptr<Map>>> aliases_;
    std::map<std::string, std::unique_ptr<module::Transport>> maildirs_;
    double started_ = 0;
};

} // namespace

int run_local_service(const Config &cfg, const config::MasterService &row, const std::vector<int> &fds) {
    if (fds.empty())
        msg::fatal("local: no request channel; the master starts local for each connection to its private socket");
    LocalAgent agent(cfg, row);
    return agent.serve(fds[0]);
}

} // namespace ferry::local
