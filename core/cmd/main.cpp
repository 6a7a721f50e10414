// main.cpp - `ferry SUBCOMMAND ...`, or a Postfix command name via argv[0].
#include "cmd/commands.h"
#include "ferry_build_config.h"
#include "log/msg.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace {

struct Command {
    std::string_view subcommand;   // `ferry conf`
    std::string_view postfix_name; // `postconf`
    int (*run)(int, char **);
    std::string_view summary;
};

constexpr Command commands[] = {
    {"conf", "postconf", ferry::cmd::conf_main, "show or change configuration parameters"},
    {"map", "postmap", ferry::cmd::map_main, "build and query lookup tables"},
    {"alias", "postalias", ferry::cmd::alias_main, "build and query alias databases"},
    {"alias", "newaliases", ferry::cmd::alias_main, "rebuild the alias database"},
    {"postfix", "postfix", ferry::cmd::postfix_main, "start, stop, reload, check the mail system"},
    {"service", "", ferry::cmd::service_main, "run one service (started by the master)"},
    {"sendmail", "sendmail", ferry::cmd::sendmail_main, "submit a message (Postfix's sendmail command line)"},
    {"queue", "postqueue", ferry::cmd::postqueue_main, "list the queue (-p, -j) or flush it (-f)"},
    {"queue", "mailq", ferry::cmd::postqueue_main, "list the queue"},
    {"super", "postsuper", ferry::cmd::postsuper_main, "delete, hold, release and requeue messages"},
};

std::string_view base_name(const char *path) {
    std::string_view p(path);
    auto slash = p.rfind('/');
    return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

int usage() {
    std::fprintf(stderr, "usage: ferry COMMAND [options]\n\ncommands:\n");
    for (const auto &c : commands)
        if (c.postfix_name != "newaliases" && c.postfix_name != "mailq" && !c.postfix_name.empty())
            std::fprintf(stderr, "  %-8s (%s)  %s\n", std::string(c.subcommand).c_str(),
                         std::string(c.postfix_name).c_str(),
                         std::string(c.summary).c_str());
    std::fprintf(stderr, "\nFerry %s; also runs as postconf, postmap, postalias, newaliases.\n",
                 FERRY_VERSION);
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    std::string_view self = argc > 0 ? base_name(argv[0]) : "ferry";
    for (const auto &c : commands) {
        if (self == c.postfix_name) {
            ferry::msg::set_program(self);
            return c.run(argc, argv);
        }
    }
    if (argc < 2) return usage();
    std::string_view sub = argv[1];
    if (sub == "--version" || sub == "version") {
        std::printf("ferry %s\n", FERRY_VERSION);
        return 0;
    }
    // `ferry start` is `postfix start`, and so on.
    for (std::string_view verb : {"start", "start-fg", "stop", "reload", "status", "check", "flush", "set-permissions"})
        if (sub == verb) return ferry::cmd::postfix_main(argc, argv);
    for (const auto &c : commands) {
        if (sub == c.subcommand) {
            // Log as the Postfix name so log tools and users see familiar text.
            if (!c.postfix_name.empty()) ferry::msg::set_program(c.postfix_name);
            return c.run(argc - 1, argv + 1);
        }
    }
    std::fprintf(stderr, "ferry: unknown command \"%s\"\n", argv[1]);
    return usage();
}
