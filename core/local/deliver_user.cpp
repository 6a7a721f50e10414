// deliver_user.cpp - see deliver_user.h.
#include "local/deliver_user.h"

#include "local/mbox.h"
#include "module/transport.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::local {
namespace {

CopyResult in_child(const UserCopy &c) {
    if (::geteuid() == 0) {
        if (::setgid(c.gid) != 0 || ::initgroups(c.user.c_str(), c.gid) != 0 || ::setuid(c.uid) != 0)
            return {qmgr::Outcome::deferred, "4.3.0",
                    "cannot switch to user " + c.user + ": " + std::strerror(errno)};
    }
    if (c.mailbox.kind == MailboxKind::mbox) {
        std::string headers = "Return-Path: <" + c.sender + ">\n";
        if (!c.orig_to.empty()) headers += "X-Original-To: " + c.orig_to + "\n";
        headers += "Delivered-To: " + c.to + "\n";
        MboxResult r = deliver_to_mbox(c.mailbox.path, c.sender, c.arrival, headers, c.fd, c.offset, c.size);
        if (r.ok) return {qmgr::Outcome::sent, "2.0.0", "delivered to mailbox"};
        return {qmgr::Outcome::deferred, r.dsn, r.text};
    }
    if (!c.maildir) return {qmgr::Outcome::deferred, "4.3.0", "maildir transport is not available"};
    module::DeliveryRequest req;
    req.queue_id = c.queue_id;
    req.sender = c.sender;
    req.nexthop = "local";
    req.recipients.push_back({c.to, c.orig_to, "", 0});
    if (::lseek(c.fd, static_cast<off_t>(c.offset), SEEK_SET) < 0)
        return {qmgr::Outcome::deferred, "4.3.0", std::string("cannot seek queue file: ") + std::strerror(errno)};
    req.message_fd = c.fd;
    req.message_size = c.size;
    auto results = c.maildir->deliver(req);
    if (results.empty()) return {qmgr::Outcome::deferred, "4.3.0", "maildir transport gave no answer"};
    const auto &r = results[0];
    qmgr::Outcome o = r.status == module::DeliveryStatus::Delivered ? qmgr::Outcome::sent
                      : r.status == module::DeliveryStatus::Bounced ? qmgr::Outcome::bounced
                                                                     : qmgr::Outcome::deferred;
    return {o, r.dsn, r.text};
}

} // namespace

CopyResult deliver_user_copy(const UserCopy &copy) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0)
        return {qmgr::Outcome::deferred, "4.3.0", std::string("pipe: ") + std::strerror(errno)};
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(p[0]);
        ::close(p[1]);
        return {qmgr::Outcome::deferred, "4.3.0", std::string("fork: ") + std::strerror(errno)};
    }
    if (pid == 0) {
        ::close(p[0]);
        CopyResult r = in_child(copy);
        std::string line = qmgr::encode_answer({0, r.outcome, r.dsn, r.text});
        ssize_t n = ::write(p[1], line.data(), line.size());
        ::_exit(n == static_cast<ssize_t>(line.size()) ? 0 : 1);
    }
    ::close(p[1]);
    std::string got;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(p[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got.append(buf, static_cast<size_t>(n));
    }
    ::close(p[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!got.empty() && got.back() == '\n') got.pop_back();
    auto answer = qmgr::decode_answer(got);
    if (!answer) {
        std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                              : "exited with status " + std::to_string(WEXITSTATUS(status));
        return {qmgr::Outcome::deferred, "4.3.0", "delivery process " + how + " without an answer"};
    }
    return {answer->outcome, answer->dsn, answer->text};
}

} // namespace ferry::local
