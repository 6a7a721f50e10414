// postdrop.cpp - the `postdrop` executable: puts one message, prepared by
// sendmail, into the maildrop queue for a user who cannot write there.
//
// As in Postfix, maildrop is open to the setgid_group only (mode 1730), and
// postdrop is the one program installed set-gid to that group (never
// set-uid, never root: `postfix set-permissions` makes it root:setgid_group
// 2755).  So every local user can submit mail without any program running
// with more than that group's right to add files to maildrop.
//
// Input, on standard input: a complete queue file in the maildrop layout of
// docs/queue-format.md, as sendmail writes it.  postdrop trusts nothing in
// it: the file must start with the version and queue id records, parse as
// a whole queue file, and fit in message_size_limit; it is written as
// maildrop/<id>.tmp (never replacing anything), synced, and renamed to its
// id.  The file belongs to the real user, whom pickup takes as the
// submitter; what the file says never counts.
//
// Set-gid, postdrop reads only the default configuration directory, or a
// -c directory that the default main.cf lists in
// alternate_config_directories (or when root runs it), as Postfix's does:
// another configuration could name another queue or no size limit.
// Exit 0 when the file is durable in maildrop, 75 (EX_TEMPFAIL) on any
// failure, with nothing left under a queue id.
#include "config/config.h"
#include "config/values.h"
#include "log/msg.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"
#include "queue/queue_id.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace ferry;

constexpr int ex_tempfail = 75;
constexpr std::size_t head_max = 4096; // V and Q records are far smaller

[[noreturn]] void fail(const std::string &text) { msg::fatal_status(ex_tempfail, text); }

std::string who() { return "uid=" + std::to_string(::getuid()); }

bool privileged() { return ::getegid() != ::getgid() || ::geteuid() != ::getuid(); }

// Whether a set-gid postdrop may read configuration `dir`.
bool trusted_directory(const std::string &dir) {
    std::string builtin = Config::builtin_directory();
    if (dir == builtin || ::getuid() == 0 || !privileged()) return true;
    // No default main.cf: nothing is listed.
    if (::access((builtin + "/main.cf").c_str(), R_OK) != 0) return false;
    Config defaults = Config::load(builtin);
    std::string list = defaults.get("alternate_config_directories").value_or("");
    for (std::string_view item : config::list_items(list))
        if (item == dir) return true;
    return false;
}

// Reads exactly n bytes of standard input into out (appending); false at
// end of input.
bool read_exact(std::string &out, std::size_t n) {
    std::size_t start = out.size();
    out.resize(start + n);
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = ::read(0, out.data() + start + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail(who() + ": error reading input: " + std::strerror(errno));
        if (r == 0) return false;
        got += static_cast<std::size_t>(r);
    }
    return true;
}

// One record of the head: its type and data (at most head_max bytes).
bool read_record(std::string &head, char &type, std::string &data) {
    std::size_t at = head.size();
    if (!read_exact(head, 9)) return false;
    std::uint64_t length = 0;
    for (int i = 1; i <= 8; ++i) length = length << 8 | static_cast<unsigned char>(head[at + static_cast<std::size_t>(i)]);
    if (length > head_max) return false;
    if (!read_exact(head, static_cast<std::size_t>(length))) return false;
    type = head[at];
    data = head.substr(at + 9);
    return true;
}

} // namespace

// The sanitizer build: LeakSanitizer stops the process with ptrace, which a
// set-gid process forbids, and would turn every run into a failure.  (A
// hook LeakSanitizer looks for; without sanitizers nothing calls it.)
extern "C" int __lsan_is_turned_off() { return privileged() ? 1 : 0; }

int main(int argc, char **argv) {
    msg::set_program("postdrop");
    ::umask(077);
    std::string dir;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-c") == 0 && i + 1 < argc) dir = argv[++i];
        else if (std::strcmp(argv[i], "-r") == 0 || std::strcmp(argv[i], "-v") == 0) continue;
        else msg::fatal("usage: postdrop [-c config_dir] [-v]");
    }
    // Set-gid, the environment is the caller's: MAIL_CONFIG counts as -c.
    if (dir.empty()) dir = Config::default_directory();
    if (!trusted_directory(dir))
        fail("unauthorized configuration directory name: " + dir + " (list it in alternate_config_directories in " +
             Config::builtin_directory() + "/main.cf)");
    Config cfg = Config::load(dir);
    std::string maildrop = queue::join_path(cfg.get("queue_directory").value_or(""), queue::maildrop_dir);
    std::uint64_t limit = std::strtoull(cfg.get("message_size_limit").value_or("0").c_str(), nullptr, 10);

    // The version and the queue id come first; the id names the file.
    std::string head, version, id;
    char type = 0;
    if (!read_record(head, type, version) || type != 'V' || version != "1" ||
        !read_record(head, type, id) || type != 'Q' || !queue::is_ferry_queue_id(id))
        fail(who() + ": malformed input: not a queue file from sendmail");

    std::string temp = queue::join_path(maildrop, id + ".tmp");
    std::string final_path = queue::join_path(maildrop, id);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) fail(who() + ": create file " + temp + ": " + std::strerror(errno));
    auto give_up = [&](const std::string &text) {
        ::close(fd);
        ::unlink(temp.c_str());
        fail(text);
    };
    // pickup, running as mail_owner, reads what another user dropped; the
    // directory's missing bits for others keep the file private.
    if (::fchmod(fd, 0644) != 0) give_up(who() + ": chmod " + temp + ": " + std::strerror(errno));
    std::uint64_t total = head.size();
    if (auto st = queue::write_all(fd, head.data(), head.size(), temp); !st.ok()) give_up(who() + ": " + st.text());
    std::vector<char> buf(64 * 1024);
    for (;;) {
        ssize_t r = ::read(0, buf.data(), buf.size());
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) give_up(who() + ": error reading input: " + std::strerror(errno));
        if (r == 0) break;
        total += static_cast<std::uint64_t>(r);
        if (limit > 0 && total > limit) give_up(who() + ": message file too big");
        if (auto st = queue::write_all(fd, buf.data(), static_cast<std::size_t>(r), temp); !st.ok())
            give_up(who() + ": " + st.text());
    }
    // A whole queue file, or nothing: a sendmail killed halfway leaves no
    // truncated file for pickup.
    queue::QueueFileReader reader;
    if (auto st = reader.open(temp); !st.ok() || reader.queue_id() != id)
        give_up(who() + ": malformed input: " + (st.ok() ? "queue id record does not match" : st.text()));
    if (auto st = queue::sync_file(fd, temp); !st.ok()) give_up(who() + ": " + st.text());
    if (auto st = queue::rename_no_replace(temp, final_path); !st.ok()) give_up(who() + ": " + st.text());
    // maildrop gives this group no read access, so the directory cannot be
    // opened to sync it; syncing the file system the file is on makes the
    // new name durable all the same (Postfix's postdrop syncs the file only).
    // On ext4 without a journal syncfs flushes the disk before it writes
    // the last metadata, so the file is synced once more after it: that
    // flushes again (and there writes the directory of a new name too).
    if (::syncfs(fd) != 0 || ::fsync(fd) != 0) {
        std::string why = std::strerror(errno);
        ::close(fd);
        ::unlink(final_path.c_str());
        fail(who() + ": sync the file system of " + final_path + ": " + why);
    }
    ::close(fd);
    return 0;
}
