// maildrop.cpp - see maildrop.h.
#include "pickup/maildrop.h"

#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_id.h"

#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

extern char **environ;

namespace ferry::pickup {

queue::Status MaildropWriter::open(const std::string &queue_directory, const queue::Envelope &envelope,
                                   std::uint64_t size_limit, const Postdrop *postdrop) {
    std::string dir = queue::join_path(queue_directory, queue::maildrop_dir);
    if (postdrop && !postdrop->program.empty() && ::geteuid() != 0 && ::access(dir.c_str(), W_OK | X_OK) != 0) {
        int fd = ::memfd_create("ferry-maildrop", MFD_CLOEXEC);
        if (fd < 0) return queue::io_error("memfd_create", dir, errno);
        postdrop_ = *postdrop;
        return writer_.open_anonymous(fd, queue::new_queue_id(), envelope, size_limit);
    }
    auto st = writer_.open(dir, queue::new_queue_id(), envelope, size_limit);
    if (!st.ok()) return st;
    if (::chmod(writer_.temp_path().c_str(), 0644) != 0) {
        int err = errno;
        writer_.abort();
        return queue::io_error("chmod", writer_.temp_path(), err);
    }
    return st;
}

queue::Status MaildropWriter::append(std::string_view content) { return writer_.append(content); }

queue::Status MaildropWriter::finish() {
    if (!through_postdrop()) return writer_.finish();
    queue::SealedFile sealed;
    if (auto st = writer_.seal(sealed); !st.ok()) return st;
    return run_postdrop(sealed.fd());
}

queue::Status MaildropWriter::run_postdrop(int fd) {
    const std::string &prog = postdrop_.program;
    if (::lseek(fd, 0, SEEK_SET) != 0) return queue::io_error("seek", "the message for " + prog, errno);
    std::vector<std::string> args = {"postdrop"};
    if (!postdrop_.config_directory.empty()) args.insert(args.end(), {"-c", postdrop_.config_directory});
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fd, 0);
    pid_t pid = 0;
    int err = ::posix_spawn(&pid, prog.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) return queue::io_error("execute", prog, err);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return queue::io_error("wait for", prog, errno);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return queue::Status::success();
    std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : "signal " + std::to_string(WTERMSIG(status));
    return {queue::StatusCode::io_error, prog + " failed: " + how};
}

} // namespace ferry::pickup
