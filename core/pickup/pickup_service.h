// pickup_service.h - the pickup service process: takes every file in the
// maildrop queue through cleanup into incoming (pickup_file.h).
//
// It scans maildrop at start, whenever a file is renamed into it (inotify),
// and every wakeup period of its master.cf row (60 s in the stock row) as a
// safety net.  SIGTERM and SIGUSR1 (the old generation of a reload) stop it
// between two files; a file is never left half processed.
#pragma once

#include "config/fwd.h"

namespace ferry::pickup {

// Runs until told to stop; returns the exit status.
int run_pickup_service(const Config &cfg, const config::MasterService &row);

// One pass over maildrop; returns how many messages were queued.
struct PickupContext;
int scan_maildrop(const PickupContext &ctx);

} // namespace ferry::pickup
