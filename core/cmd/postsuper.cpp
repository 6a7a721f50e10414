// postsuper.cpp - `postsuper -d|-h|-H|-r ID|ALL|- [queue...]` and `-s`:
// the administrator's changes to the queue, with Postfix's words.
//
//   -d  delete the message (and its defer and bounce logs)
//   -h  put it on hold (from incoming, active, deferred)
//   -H  release it from hold (to deferred)
//   -r  requeue it: back to maildrop, so pickup runs it through cleanup
//       again (from incoming, active, deferred, hold)
//   -p  purge temporary files (ID.tmp) a crash left in the message
//       queues, once they are a day old (Postfix's rule)
//   -s  structure check: queue files left in sub-directories (a Postfix
//       hashed layout, a restore) move up to their queue
//
// Without -d, -h, -H or -r it does -p and -s, as Postfix's does (and as
// `postfix start` runs it).
//
// An argument is a queue id, ALL, or - (ids from standard input, one a
// line).  Every id is checked (is_valid_queue_id) before it is used as a
// file name; a bad one is a warning and is skipped.  Trailing queue names
// limit the queues searched.
#include "cmd/commands.h"
#include "cmd/queue_tool_scan.h"
#include "config/config.h"
#include "log/msg.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_id.h"

#include <dirent.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ferry::cmd {
namespace {

[[noreturn]] void usage() {
    msg::fatal("usage: postsuper [-c config_dir] [-d queue_id (delete)] [-h queue_id (hold)] "
               "[-H queue_id (un-hold)] [-p (purge temporary files)] [-r queue_id (requeue)] "
               "[-s (structure fix)] [-v (verbose)] "
               "[queue...]");
}

struct Operation {
    char option;
    std::vector<std::string_view> from; // queues it takes messages from
    std::string_view to;                // "" for delete
    const char *each;                   // "removed", "placed on hold", ...
    const char *total;                  // "Deleted", ...
};

const Operation operations[] = {
    {'d', {queue::hold_dir, queue::incoming_dir, queue::active_dir, queue::deferred_dir, queue::maildrop_dir},
     "", "removed", "Deleted"},
    {'h', {queue::incoming_dir, queue::active_dir, queue::deferred_dir}, queue::hold_dir, "placed on hold",
     "Placed on hold"},
    {'H', {queue::hold_dir}, queue::deferred_dir, "released from hold", "Released from hold"},
    {'r', {queue::incoming_dir, queue::active_dir, queue::deferred_dir, queue::hold_dir}, queue::maildrop_dir,
     "requeued", "Requeued"},
};

const Operation &operation(char option) {
    for (const auto &op : operations)
        if (op.option == option) return op;
    msg::panic("postsuper: no operation for -" + std::string(1, option));
}

std::vector<std::string> ids_in(const std::string &top, std::string_view queue) {
    return queue::queue_ids_in(queue::join_path(top, queue)).value_or(std::vector<std::string>{});
}

bool exists(const std::string &path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

class Super {
public:
    explicit Super(std::string top, std::set<std::string> limit) : top_(std::move(top)), limit_(std::move(limit)) {}

    // One id (or ALL) for one operation; counts what was done.
    void apply(const Operation &op, const std::string &id) {
        for (auto queue : op.from) {
            if (!limit_.empty() && !limit_.count(std::string(queue))) continue;
            if (id == "ALL") {
                for (const auto &each : ids_in(top_, queue)) act(op, queue, each);
                continue;
            }
            if (act(op, queue, id)) return; // an id lives in one queue
        }
    }

    void summary(const Operation &op) const {
        unsigned n = done_.count(op.option) ? done_.at(op.option) : 0;
        msg::info(std::string(op.total) + ": " + std::to_string(n) + " message" + (n == 1 ? "" : "s"));
    }

    // -p: temporary files a crash left, once a day old.
    void purge() {
        std::vector<std::string_view> queues;
        for (auto queue : listed_queues())
            if (limit_.empty() || limit_.count(std::string(queue))) queues.push_back(queue);
        std::vector<std::string> warnings;
        auto removed = queue::purge_temporary_files(top_, queues, std::time(nullptr) - queue::temporary_file_max_age,
                                                    warnings);
        for (const auto &path : removed) msg::info(path + ": removed old temporary file");
        for (const auto &w : warnings) msg::warning(w);
    }

    // -s: queue files in sub-directories, at any depth (Postfix's
    // hash_queue_depth is up to 4), move up into their queue.
    void structure() {
        unsigned moved = 0;
        for (auto queue : listed_queues()) {
            std::string dir = queue::join_path(top_, queue);
            for (const auto &sub : subdirectories(dir)) moved += move_up(queue, dir, sub);
        }
        if (moved) msg::info("Moved to their queue: " + std::to_string(moved) + " message" + (moved == 1 ? "" : "s"));
    }

private:
    static std::vector<std::string> subdirectories(const std::string &dir) {
        std::vector<std::string> found;
        DIR *d = ::opendir(dir.c_str());
        if (!d) return found;
        while (dirent *e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            struct stat st {};
            if (::lstat(queue::join_path(dir, name).c_str(), &st) == 0 && S_ISDIR(st.st_mode))
                found.push_back(name);
        }
        ::closedir(d);
        return found;
    }

    // The queue files below dir/rel (rel: "A" or "A/B" ...) move to dir;
    // each emptied sub-directory is removed.  Returns how many moved.
    unsigned move_up(std::string_view queue, const std::string &dir, const std::string &rel) {
        unsigned moved = 0;
        std::string subdir = queue::join_path(dir, rel);
        for (const auto &deeper : subdirectories(subdir)) moved += move_up(queue, dir, rel + "/" + deeper);
        for (const auto &id : ids_in(dir, rel)) {
            std::string from = queue::join_path(subdir, id);
            struct stat st {};
            if (::lstat(from.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
            auto status = queue::move_durably(from, queue::join_path(dir, id), dir);
            if (!status.ok()) {
                msg::warning(status.text());
                continue;
            }
            msg::info(std::string(queue) + "/" + rel + "/" + id + ": moved to " + std::string(queue));
            ++moved;
        }
        if (::rmdir(subdir.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST)
            msg::warning("remove subdirectory " + subdir + ": " + std::strerror(errno));
        return moved;
    }

    bool act(const Operation &op, std::string_view queue, const std::string &id) {
        std::string path = queue::queue_file_path(top_, queue, id);
        if (!exists(path)) return false;
        if (op.to.empty()) {
            if (::unlink(path.c_str()) != 0) {
                if (errno != ENOENT) msg::warning("remove file " + path + ": " + std::strerror(errno));
                return false;
            }
            for (auto log : {queue::defer_dir, queue::bounce_dir}) {
                std::string logfile = queue::queue_file_path(top_, log, id);
                if (::unlink(logfile.c_str()) != 0 && errno != ENOENT)
                    msg::warning("remove file " + logfile + ": " + std::strerror(errno));
            }
        } else {
            auto st = queue::move_durably(path, queue::queue_file_path(top_, op.to, id), queue::join_path(top_, op.to));
            if (!st.ok()) {
                msg::warning(st.text());
                return false;
            }
        }
        msg::info(id + ": " + op.each);
        ++done_[op.option];
        return true;
    }

    std::string top_;
    std::set<std::string> limit_;
    std::map<char, unsigned> done_;
};

} // namespace

int postsuper_main(int argc, char **argv) {
    std::string config_dir;
    std::vector<std::pair<char, std::string>> requests; // in command line order
    bool structure = false, purge = false;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = ::getopt(argc, argv, "c:d:h:H:pr:sv")) != -1) {
        switch (c) {
        case 'c': config_dir = optarg; break;
        case 'd': case 'h': case 'H': case 'r': requests.emplace_back(static_cast<char>(c), optarg); break;
        case 'p': purge = true; break;
        case 's': structure = true; break;
        case 'v': break;
        default:
            std::fprintf(stderr, "%s: invalid option -- '%c'\n", msg::program().c_str(), optopt);
            usage();
        }
    }
    std::set<std::string> limit;
    for (int i = optind; i < argc; ++i) {
        std::string q = argv[i];
        auto known = listed_queues();
        if (std::find(known.begin(), known.end(), q) == known.end())
            msg::fatal("invalid directory name: " + q);
        limit.insert(q);
    }
    if (requests.empty() && !structure && !purge) structure = purge = true;
    Config cfg = Config::load(config_directory(config_dir));
    std::string top = cfg.get("queue_directory").value_or("");
    std::string logfile = cfg.get("maillog_file").value_or("");
    if (!logfile.empty() && !msg::log_to_file(logfile))
        msg::warning("open maillog_file " + logfile + ": " + std::strerror(errno));
    struct stat st {};
    if (::stat(top.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        msg::fatal("chdir " + top + ": " + std::strerror(errno ? errno : ENOTDIR));

    Super super(top, limit);
    if (purge) super.purge();
    if (structure) super.structure();
    std::vector<std::string> stdin_ids;
    bool read_stdin = false;
    std::set<char> used;
    for (const auto &[option, id] : requests) {
        const Operation &op = operation(option);
        used.insert(option);
        std::vector<std::string> ids;
        if (id == "-") {
            if (!read_stdin) {
                std::string line;
                while (std::getline(std::cin, line)) {
                    auto start = line.find_first_not_of(" \t\r");
                    if (start == std::string::npos) continue;
                    auto end = line.find_first_of(" \t\r", start);
                    stdin_ids.push_back(line.substr(start, end == std::string::npos ? end : end - start));
                }
                read_stdin = true;
            }
            ids = stdin_ids;
        } else {
            ids.push_back(id);
        }
        for (const auto &each : ids) {
            if (each != "ALL" && !queue::is_valid_queue_id(each)) {
                msg::warning("invalid mail queue id: " + each);
                continue;
            }
            super.apply(op, each);
        }
    }
    for (const auto &op : operations)
        if (used.count(op.option)) super.summary(op);
    return 0;
}

} // namespace ferry::cmd
