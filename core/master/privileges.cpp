// privileges.cpp - see privileges.h.
#include "master/privileges.h"

#include "config/config.h"
#include "log/msg.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace ferry::master {

std::string find_mail_owner(const Config &cfg, MailOwner &owner) {
    const std::string file = "file " + cfg.main_cf_path() + ": ";
    owner.name = cfg.get("mail_owner").value_or("postfix");
    owner.group = cfg.get("setgid_group").value_or("postdrop");

    const passwd *pw = ::getpwnam(owner.name.c_str());
    if (!pw) return file + "parameter mail_owner: unknown user name value: " + owner.name;
    owner.uid = pw->pw_uid;
    owner.gid = pw->pw_gid;
    if (owner.uid == 0) return file + "parameter mail_owner: user " + owner.name + " has privileged user ID";
    if (owner.gid == 0) return file + "parameter mail_owner: user " + owner.name + " has privileged group ID";
    // Another name for the same uid would share the queue's ownership.
    if (const passwd *same = ::getpwuid(owner.uid); same && owner.name != same->pw_name)
        return file + "parameter mail_owner: user " + owner.name + " has same user ID as " + same->pw_name;

    const group *gr = ::getgrnam(owner.group.c_str());
    if (!gr) return file + "parameter setgid_group: unknown group name: " + owner.group;
    owner.setgid_gid = gr->gr_gid;
    if (owner.setgid_gid == 0)
        return file + "parameter setgid_group: group " + owner.group + " has privileged group ID";
    if (const group *same = ::getgrgid(owner.setgid_gid); same && owner.group != same->gr_name)
        return file + "parameter setgid_group: group " + owner.group + " has same group ID as " + same->gr_name;
    if (owner.gid == owner.setgid_gid)
        return file + "parameters mail_owner and setgid_group: user " + owner.name + " and group " + owner.group +
               " have the same group ID: " + std::to_string(owner.setgid_gid);
    return "";
}

bool running_as_root() { return ::geteuid() == 0; }

void drop_service_privileges(const Config &cfg, const config::MasterService &row) {
    if (!running_as_root()) return;
    // Users and groups are looked up before the chroot hides /etc.
    MailOwner owner;
    if (row.is_unprivileged()) {
        if (std::string why = find_mail_owner(cfg, owner); !why.empty()) msg::fatal(why);
        if (::initgroups(owner.name.c_str(), owner.gid) != 0)
            msg::fatal("initgroups " + owner.name + ": " + std::strerror(errno));
    }
    if (row.is_chroot()) {
        // The time zone is read now: /etc/localtime is not looked at again.
        ::tzset();
#if defined(__SANITIZE_ADDRESS__)
        // LeakSanitizer needs /proc at exit, which the chroot hides: the
        // sanitizer build checks for leaks here instead.
        __lsan_do_leak_check();
#endif
        if (::chroot(".") != 0 || ::chdir("/") != 0)
            msg::fatal("chroot(" + cfg.get("queue_directory").value_or("") + "): " + std::strerror(errno));
    }
    if (!row.is_unprivileged()) return;
    pid_t parent = ::getppid();
    if (::setgid(owner.gid) != 0) msg::fatal("setgid(" + std::to_string(owner.gid) + "): " + std::strerror(errno));
    if (::setuid(owner.uid) != 0) msg::fatal("setuid(" + std::to_string(owner.uid) + "): " + std::strerror(errno));
    // setuid(2) from root sets the saved uid too; make sure it stuck.
    if (::setuid(0) == 0) msg::fatal("service " + row.name() + ": still able to regain root after setuid");
    // A change of uid clears the parent-death signal: arm it again, and
    // leave if the master went away in between.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
}

namespace {

constexpr const char *chroot_files[] = {"etc/localtime", "etc/services",      "etc/resolv.conf",    "etc/hosts",
                                        "etc/host.conf", "etc/nsswitch.conf", "etc/nss_mdns.config"};

std::string file_content(const std::string &path, bool &ok) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    ok = static_cast<bool>(in) || in.eof();
    return out.str();
}

// Whether `copy` is a regular file (not a link) holding `content`.
bool is_copy_of(const std::string &copy, const std::string &content) {
    struct stat st {};
    bool ok = false;
    return ::lstat(copy.c_str(), &st) == 0 && S_ISREG(st.st_mode) && file_content(copy, ok) == content && ok;
}

} // namespace

std::vector<std::string> copy_chroot_files(const std::string &queue_directory) {
    std::vector<std::string> warnings;
    std::string etc = queue_directory + "/etc";
    if (::mkdir(etc.c_str(), 0755) != 0 && errno != EEXIST) {
        warnings.push_back("mkdir " + etc + ": " + std::strerror(errno));
        return warnings;
    }
    for (const char *name : chroot_files) {
        std::string from = std::string("/") + name, to = queue_directory + "/" + name;
        struct stat st {};
        if (::stat(from.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        bool ok = false;
        std::string content = file_content(from, ok);
        if (!ok) {
            warnings.push_back("read " + from + ": " + std::strerror(errno));
            continue;
        }
        if (is_copy_of(to, content)) continue;
        // A new file beside it, renamed over: never written through a link.
        std::string tmp = to + ".ferry-new";
        ::unlink(tmp.c_str());
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        bool written = fd >= 0 && ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
                       ::fchmod(fd, 0644) == 0;
        if (fd >= 0) ::close(fd);
        if (!written || ::rename(tmp.c_str(), to.c_str()) != 0) {
            warnings.push_back("copy " + from + " to " + to + ": " + std::strerror(errno));
            ::unlink(tmp.c_str());
        }
    }
    return warnings;
}

std::vector<std::string> stale_chroot_files(const std::string &queue_directory) {
    std::vector<std::string> out;
    for (const char *name : chroot_files) {
        std::string from = std::string("/") + name, to = queue_directory + "/" + name;
        struct stat st {};
        if (::lstat(to.c_str(), &st) != 0) continue; // no copy: nothing to be stale
        bool ok = false;
        std::string content = file_content(from, ok);
        if (!ok || !is_copy_of(to, content)) out.push_back(to + " and " + from + " differ");
    }
    return out;
}

} // namespace ferry::master
