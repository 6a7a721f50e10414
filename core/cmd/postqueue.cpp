// postqueue.cpp - `postqueue -p | -j | -f | -i ID | -s SITE`, also run as
// `mailq` (= postqueue -p): the queue listing in Postfix's formats, read
// straight from the queue directories (Ferry folds showq in here), and
// the flush request for the queue manager.
#include "cmd/commands.h"
#include "cmd/queue_tool_scan.h"
#include "config/config.h"
#include "log/msg.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"

#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace ferry::cmd {
namespace {

constexpr int ex_unavailable = 69; // what Postfix's postqueue exits with

[[noreturn]] void usage() {
    msg::fatal_status(ex_unavailable,
                      "usage: postqueue -f | postqueue -i queueid | postqueue -j | postqueue -p | postqueue -s site");
}

std::string queue_directory(const std::string &config_dir) {
    Config cfg = Config::load(config_directory(config_dir));
    return cfg.get("queue_directory").value_or("");
}

} // namespace

// Asks the queue manager, through its FIFO public/qmgr, to forget dead
// destinations and scan the deferred and incoming queues now: Postfix's
// flush request.
int flush_queue(const std::string &config_dir) {
    std::string fifo = queue::join_path(queue_directory(config_dir), queue::qmgr_fifo);
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        const char request[] = {'F', 'A', 'D', 'I'};
        bool ok = ::write(fd, request, sizeof request) == static_cast<ssize_t>(sizeof request);
        ::close(fd);
        if (ok) return 0;
    }
    msg::warning("unable to look up public/qmgr: " + std::string(std::strerror(errno)));
    msg::fatal_status(ex_unavailable, "Cannot flush mail queue - mail system is down");
}

int list_queue(const std::string &config_dir, bool json) {
    Config cfg = Config::load(config_directory(config_dir));
    std::string top = cfg.get("queue_directory").value_or("");
    std::vector<QueuedMessage> all;
    for (auto q : listed_queues()) {
        std::string error;
        auto some = scan_queue(top, q, error);
        if (!error.empty()) msg::fatal_status(ex_unavailable, error);
        all.insert(all.end(), some.begin(), some.end());
    }
    std::string text = json ? format_json(all)
                            : format_listing(all, cfg.get("enable_long_queue_ids").value_or("no") == "yes");
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

int postqueue_main(int argc, char **argv) {
    std::string_view self = argv[0];
    auto slash = self.rfind('/');
    if (slash != std::string_view::npos) self = self.substr(slash + 1);
    std::string config_dir;
    char mode = self == "mailq" ? 'p' : 0;
    std::string arg;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = ::getopt(argc, argv, "c:fi:jps:v")) != -1) {
        switch (c) {
        case 'c': config_dir = optarg; break;
        case 'v': break;
        case 'f': case 'j': case 'p': mode = static_cast<char>(c); break;
        case 'i': case 's': mode = static_cast<char>(c); arg = optarg; break;
        default:
            std::fprintf(stderr, "%s: invalid option -- '%c'\n", msg::program().c_str(), optopt);
            usage();
        }
    }
    if (optind < argc || mode == 0) usage();
    if (mode == 'p' || mode == 'j') return list_queue(config_dir, mode == 'j');
    // -i and -s are flush requests too (one message, one site).
    return flush_queue(config_dir);
}

} // namespace ferry::cmd
