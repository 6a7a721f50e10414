// smtpd_service.h - the smtpd service process: one event loop serving
// every connection on the listeners the master handed over.
//
// Boost.Asio with C++20 coroutines: a connection is a coroutine that feeds
// the sans-I/O Session and writes its replies; blocking table checks run on
// a small worker pool, queue files are group-committed on their own thread.
// SIGTERM stops at once; SIGUSR1 (the old generation of a reload) closes
// the listeners and exits when the last session has ended.
#pragma once

#include "config/fwd.h"

#include <vector>

namespace ferry::smtpd {

// Runs until told to stop; returns the exit status.
int run_smtpd_service(const Config &cfg, const config::MasterService &row, const std::vector<int> &listen_fds);

} // namespace ferry::smtpd
