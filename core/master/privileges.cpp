// privileges.cpp - see privileges.h.
#include "master/privileges.h"

#include "config/config.h"
#include "log/msg.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
    if (!running_as_root() || !row.is_unprivileged()) return;
    MailOwner owner;
    if (std::string why = find_mail_owner(cfg, owner); !why.empty()) msg::fatal(why);
    pid_t parent = ::getppid();
    if (::initgroups(owner.name.c_str(), owner.gid) != 0)
        msg::fatal("initgroups " + owner.name + ": " + std::strerror(errno));
    if (::setgid(owner.gid) != 0) msg::fatal("setgid(" + std::to_string(owner.gid) + "): " + std::strerror(errno));
    if (::setuid(owner.uid) != 0) msg::fatal("setuid(" + std::to_string(owner.uid) + "): " + std::strerror(errno));
    // setuid(2) from root sets the saved uid too; make sure it stuck.
    if (::setuid(0) == 0) msg::fatal("service " + row.name() + ": still able to regain root after setuid");
    // A change of uid clears the parent-death signal: arm it again, and
    // leave if the master went away in between.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
}

} // namespace ferry::master
