// local_agent.cpp - see local_agent.h.
#include "qmgr/local_agent.h"

#include "config/config.h"
#include "log/msg.h"
#include "master/listen.h"
#include "queue/queue_dirs.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::qmgr {
namespace {

// A connection to the master's socket for `local`, or -1 with `why`.
int connect_agent(const Config &cfg, const config::MasterService &local, std::string &why) {
    std::string name = std::string(queue::private_dir) + "/" + local.service;
    std::string path = cfg.get("queue_directory").value_or("") + "/" + name;
    int fd = master::connect_unix(path, why);
    // Postfix's qmgr says the same when a transport cannot be reached.
    if (fd < 0) why = "connect to transport " + name + ": " + std::strerror(errno);
    return fd;
}

} // namespace

std::string run_local_agent(const Config &cfg, const config::MasterService &local, const DeliveryAsk &ask,
                            std::map<size_t, DeliveryAnswer> &answers) {
    std::string why;
    int fd = connect_agent(cfg, local, why);
    if (fd < 0) return why;
    master::send_all(fd, encode_ask(ask)); // a failed send shows as missing answers
    ::shutdown(fd, SHUT_WR);
    std::string buf;
    char chunk[4096];
    for (;;) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue; // a stop signal waits for the agent
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            auto a = decode_answer(std::string_view(buf).substr(0, nl));
            if (a) answers[a->index] = *a;
            else msg::warning("local: malformed answer: " + buf.substr(0, nl));
            buf.erase(0, nl + 1);
        }
    }
    ::close(fd);
    // Every recipient answered, or the process ended early (the master
    // logs how); the caller defers the unanswered ones.
    for (size_t i : ask.recipients)
        if (!answers.count(i)) return agent_failure_text;
    return "";
}

} // namespace ferry::qmgr
