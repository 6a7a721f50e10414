// local_service.h - the local(8) delivery agent: delivers one message's
// local recipients, asked by qmgr over the socketpair that is its fd 3
// (qmgr/channel.h), and answers per recipient as each one is final.
//
// Per recipient: the local part (lower case, extension stripped) is looked
// up in alias_maps; plain address targets are expanded (recursively; a name
// already expanded on the way is delivered as a user, so "alice: alice,
// bob" works), other targets (|command, /file, :include:) are deferred as
// not yet supported, remote targets deferred until remote delivery exists.
// Names that are not aliases are looked up with getpwnam(): unknown is a
// bounce (5.1.1), a known user gets a copy in the mailbox mailbox.h names,
// written by a child running as the user (deliver_user.h).  One line per
// final target is logged in Postfix's form (qmgr/delivery_log.h).
#pragma once

#include "config/fwd.h"

#include <vector>

namespace ferry::local {

int run_local_service(const Config &cfg, const config::MasterService &row, const std::vector<int> &fds);

} // namespace ferry::local
