// commands.h - the subcommands of the one `ferry` executable.
//
// Each command is also reachable under its Postfix name by argv[0]
// (postconf -> conf, postmap -> map, ...), so installing symlinks makes Ferry a
// drop-in for scripts.  Each takes the arguments after its own name, with
// argv[0] being the name it was invoked as, and returns the exit status.
#pragma once

#include <string>

namespace ferry::cmd {

int conf_main(int argc, char **argv);  // postconf
int map_main(int argc, char **argv);   // postmap
int alias_main(int argc, char **argv); // postalias, newaliases
int postfix_main(int argc, char **argv); // postfix start|stop|reload|status|check
int service_main(int argc, char **argv); // a service process started by the master
int sendmail_main(int argc, char **argv);  // sendmail: submit to the maildrop queue
int postqueue_main(int argc, char **argv); // postqueue, mailq: list or flush the queue
int flush_queue(const std::string &config_dir); // postqueue -f, postfix flush
int postsuper_main(int argc, char **argv); // postsuper: delete, hold, release, requeue

// The running executable's path (/proc/self/exe), empty when unknown.
std::string self_executable();
// The postdrop program installed beside it (meson installs both in
// sbindir; the build tree has both in core/cmd), empty when unknown.
std::string postdrop_program();

} // namespace ferry::cmd
