// privileges.h - who the mail system runs as: mail_owner and setgid_group
// checked as Postfix checks them, and the drop a service makes from root
// to mail_owner when its master.cf unpriv column says so.
//
// Only a master started by root changes anything: run by another user,
// every service keeps that user, as before, so tests and the quick start
// run unprivileged.  A service drops privileges after it has opened what
// needs root (listeners come from the master; tables, modules and TLS keys
// it opens itself first) and before it reads any network or queue input.
#pragma once

#include "config/fwd.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace ferry::master {

struct MailOwner {
    std::string name;      // mail_owner
    uid_t uid = 0;
    gid_t gid = 0;         // its primary group
    std::string group;     // setgid_group
    gid_t setgid_gid = 0;
};

// Postfix's checks of mail_owner and setgid_group: the user and group
// exist, are not privileged (uid/gid 0) and share no id with another name.
// Returns "" and fills `owner`, or the fatal text, in Postfix's words
// ("file DIR/main.cf: parameter mail_owner: user root has privileged user ID").
std::string find_mail_owner(const Config &cfg, MailOwner &owner);

// True when the process can switch users (effective uid 0).
bool running_as_root();

// In a service process running as root: when `row`'s chroot column is y,
// chroot to the working directory (the service has changed into
// queue_directory); then, when `row` is unprivileged (unpriv y or -),
// become mail_owner: initgroups, setgid, setuid.  A service with unpriv n
// keeps root.  Any failure is fatal: a service never goes on with more
// privilege or a wider view than its row gives it.
void drop_service_privileges(const Config &cfg, const config::MasterService &row);

// The files a chrooted service needs from /etc (time zone, resolver, host
// and service names), copied into queue_directory/etc when they differ, as
// Debian's Postfix package does before it starts chrooted services.  Never
// the password file: proxy:unix:passwd.byname answers through proxymap.
// Returns a warning per file that could not be copied.
std::vector<std::string> copy_chroot_files(const std::string &queue_directory);

// `postfix check`'s view of those copies: "QUEUE/etc/hosts and /etc/hosts
// differ" for each copy that is no longer the same as its original.
std::vector<std::string> stale_chroot_files(const std::string &queue_directory);

} // namespace ferry::master
