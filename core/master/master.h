// master.h - the master process: opens the listeners master.cf names,
// starts one process per service Ferry runs, restarts a service that dies,
// and on reload starts a new generation while the old one drains.
//
// Signals, as Postfix's master: SIGHUP reloads, SIGTERM stops.  A service
// process gets SIGTERM to stop at once and SIGUSR1 to stop accepting and
// exit when its sessions are done (the old generation of a reload).
// Services are event-driven, so one process serves a service however high
// its maxproc column: maxproc stays the service's own session limit.
#pragma once

#include <string>

namespace ferry::master {

struct MasterOptions {
    std::string config_dir;   // -c
    std::string self;         // the ferry executable the services run as
    bool log_to_stderr = true;
};

// Runs the master until SIGTERM/SIGINT; returns the exit status.  The pid
// file ($queue_directory/pid/master.pid) is written and locked here.
int run_master(const MasterOptions &opt);

// What master.cf commands mean to Ferry: "run" for a service it runs, or
// the text explaining where its job went ("folded into smtpd", "not yet
// available").  `postfix check` prints these.
std::string service_disposition(const std::string &command, const std::string &type);

} // namespace ferry::master
