// verify_local.h - what `sendmail -bv` asks the queue manager: would mail
// to this recipient be delivered, without delivering it.
//
// Postfix hands a verification request to the delivery agent, which walks
// its usual path and reports instead of writing.  Ferry's local agent has
// no such mode yet, so the queue manager asks the same sources local uses,
// in local's order: mydestination (else remote: "remote delivery is not yet
// available", undeliverable for now), alias_maps (address targets expanded
// recursively, |command, /file and :include: targets reported as local
// reports them, not yet supported), then the password file ("unknown user"
// 5.1.1, or "delivers to mailbox" / "delivers to maildir").  Table failures
// are reported as such (4.3.0), never as unknown users.
#pragma once

#include "config/fwd.h"

#include <memory>
#include <string>
#include <vector>

namespace ferry::qmgr {

struct VerifyResult {
    std::string address;  // the final address
    std::string expanded; // the recipient it was expanded from, "" when the same
    bool deliverable = false;
    std::string status;   // 2.0.0, 4.3.0, 5.1.1
    std::string reason;   // "delivers to mailbox", "unknown user: \"x\""
};

class LocalVerifier {
public:
    LocalVerifier(const Config &cfg, const config::MasterService &row);
    ~LocalVerifier();
    LocalVerifier(const LocalVerifier &) = delete;
    LocalVerifier &operator=(const LocalVerifier &) = delete;

    // One result per final target of `address` (an alias may have several).
    std::vector<VerifyResult> verify(const std::string &address);

private:
    struct State;
    std::unique_ptr<State> s_;
};

} // namespace ferry::qmgr
