// pickup_service.cpp - see pickup_service.h.
#include "pickup/pickup_service.h"

#include "config/config.h"
#include "log/msg.h"
#include "master/privileges.h"
#include "pickup/pickup_file.h"
#include "queue/queue_dirs.h"
#include "queue/queue_id.h"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ferry::pickup {
namespace {

long number(const Config &cfg, const config::MasterService &row, const char *name, long fallback) {
    auto v = cfg.service_get(row, name);
    if (!v || v->empty()) return fallback;
    char *end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    return end && *end == '\0' ? n : fallback;
}

PickupContext context_of(const Config &cfg, const config::MasterService &row) {
    auto get = [&](const char *name) { return cfg.service_get(row, name).value_or(""); };
    PickupContext c;
    c.queue_directory = get("queue_directory");
    c.myhostname = get("myhostname");
    c.myorigin = get("myorigin");
    if (auto name = cfg.service_get(row, "mail_name"); name && !name->empty()) c.mail_name = *name;
    c.hopcount_limit = number(cfg, row, "hopcount_limit", 50);
    c.header_size_limit = number(cfg, row, "header_size_limit", 102400);
    c.message_size_limit = number(cfg, row, "message_size_limit", 10240000);
    c.always_add_missing_headers = get("always_add_missing_headers") == "yes";
    c.undisclosed_recipients_header = get("undisclosed_recipients_header");
    return c;
}

void log_lines(std::vector<cleanup::LogLine> &lines) {
    for (const auto &line : lines) {
        if (line.warning) msg::warning(line.text);
        else msg::info(line.text);
    }
    lines.clear();
}

} // namespace

int scan_maildrop(const PickupContext &given) {
    PickupContext ctx = given;
    ctx.log_before_commit = log_lines;
    std::string dir = ctx.queue_directory + "/" + std::string(queue::maildrop_dir);
    auto names = queue::queue_ids_in(dir); // in order of arrival
    if (!names) {
        msg::warning("open directory " + dir + ": " + std::strerror(errno));
        return 0;
    }
    int queued = 0;
    for (const auto &name : *names) {
        PickupResult r = pickup_file(ctx, name);
        log_lines(r.log);
        if (r.kind == PickupResult::Kind::queued) ++queued;
    }
    return queued;
}

int run_pickup_service(const Config &cfg, const config::MasterService &row) {
    PickupContext ctx = context_of(cfg, row);
    master::drop_service_privileges(cfg, row); // tables are open
    if (auto made = queue::create_queue_dirs(ctx.queue_directory); !made.ok()) msg::fatal(made.text());
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGUSR1);
    sigprocmask(SIG_BLOCK, &stop, nullptr);
    int sfd = ::signalfd(-1, &stop, SFD_CLOEXEC);
    if (sfd < 0) msg::fatal(std::string("signalfd: ") + std::strerror(errno));
    std::string dir = ctx.queue_directory + "/" + std::string(queue::maildrop_dir);
    int ifd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (ifd < 0 || ::inotify_add_watch(ifd, dir.c_str(), IN_MOVED_TO | IN_CREATE) < 0)
        msg::warning("inotify " + dir + ": " + std::strerror(errno) + "; scanning every wakeup period only");
    int wakeup = row.wakeup_seconds() > 0 ? row.wakeup_seconds() : 60;
    while (true) {
        scan_maildrop(ctx);
        pollfd fds[2] = {{sfd, POLLIN, 0}, {ifd, POLLIN, 0}};
        int n = ::poll(fds, ifd >= 0 ? 2 : 1, wakeup * 1000);
        if (n < 0 && errno != EINTR) msg::fatal(std::string("poll: ") + std::strerror(errno));
        if (n > 0 && (fds[0].revents & POLLIN)) break;
        if (n > 0 && ifd >= 0 && (fds[1].revents & POLLIN)) {
            char events[4096];
            while (::read(ifd, events, sizeof(events)) > 0) {
            }
        }
    }
    if (ifd >= 0) ::close(ifd);
    ::close(sfd);
    return 0;
}

} // namespace ferry::pickup
