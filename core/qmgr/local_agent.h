// local_agent.h - qmgr's side of a local(8) delivery: connect to the
// master's socket $queue_directory/private/<service> (the master starts one
// local process per connection, with the master's root privileges, so
// that local can become each recipient while qmgr runs as mail_owner),
// send the request, and collect the answers (qmgr/channel.h) until the
// process closes its end.
//
// A process per message keeps every delivery (and the module code it
// loads) out of qmgr's address space: a crash there costs one message a
// retry, never qmgr; the master logs how that process ended.  Answers are
// taken only when well formed.
#pragma once

#include "config/fwd.h"

#include "qmgr/channel.h"

#include <map>
#include <string>

namespace ferry::qmgr {

// Fills `answers` (by recipient index) with what the agent said; returns ""
// or why the agent could not be run or ended abnormally (for the log).
// What qmgr logs for recipients a failed agent did not answer.
inline constexpr const char *agent_failure_text = "unknown mail transport error";

std::string run_local_agent(const Config &cfg, const config::MasterService &local, const DeliveryAsk &ask,
                            std::map<size_t, DeliveryAnswer> &answers);

} // namespace ferry::qmgr
