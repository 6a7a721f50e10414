// local_agent.cpp - see local_agent.h.
#include "qmgr/local_agent.h"

#include "config/config.h"
#include "log/msg.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ferry::qmgr {
namespace {

std::string self_path() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "";
    return std::string(buf, static_cast<size_t>(n));
}

[[noreturn]] void exec_agent(const std::string &self, const Config &cfg, const config::MasterService &local, int fd) {
    if (fd == 3) ::fcntl(3, F_SETFD, 0);
    else if (::dup2(fd, 3) < 0) ::_exit(1);
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setenv("FERRY_LISTEN_FDS", "1", 1);
    std::vector<std::string> args = {self, "service", "local", "-c", cfg.directory(), "-s", local.name()};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(self.c_str(), argv.data());
    ::_exit(127);
}

bool send_all(int fd, const std::string &data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

} // namespace

std::string run_local_agent(const Config &cfg, const config::MasterService &local, const DeliveryAsk &ask,
                            std::map<size_t, DeliveryAnswer> &answers) {
    std::string self = self_path();
    if (self.empty()) return std::string("cannot find own executable: ") + std::strerror(errno);
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0)
        return std::string("socketpair: ") + std::strerror(errno);
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(sp[0]);
        ::close(sp[1]);
        return std::string("fork: ") + std::strerror(errno);
    }
    if (pid == 0) {
        ::close(sp[0]);
        exec_agent(self, cfg, local, sp[1]);
    }
    ::close(sp[1]);
    int fd = sp[0];
    send_all(fd, encode_ask(ask)); // a failed send shows as missing answers
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
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                          : "terminated with status " + std::to_string(WEXITSTATUS(status));
    msg::warning("process " + self + " pid " + std::to_string(pid) + " " + how);
    return agent_failure_text;
}

} // namespace ferry::qmgr
