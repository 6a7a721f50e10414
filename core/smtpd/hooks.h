// hooks.h - what the SMTP session asks of the rest of the server.
//
// The session decides nothing about policy or storage: it asks its Hooks.
// A hook answers at once (accept or a reject reply) or says "pending"; the
// session then stops processing input (it keeps buffering it) until the
// caller hands the real answer to Session::resume().  This is how table
// lookups on a worker pool or a group-committed queue write plug in without
// the session knowing about threads or event loops.
#pragma once

#include <string>
#include <string_view>

#include "smtpd/envelope.h"
#include "smtpd/reply.h"

namespace ferry::smtpd {

// One answer from a hook.
struct Verdict {
    enum class Kind { accept, reject, pending };
    Kind kind = Kind::accept;
    Reply reply;          // for reject: sent to the client as is
    std::string queue_id; // for accept from end_message: the new queue id

    static Verdict accept() { return {}; }
    static Verdict queued(std::string id) { return {Kind::accept, {}, std::move(id)}; }
    static Verdict reject(Reply r) { return {Kind::reject, std::move(r), {}}; }
    static Verdict pending() { return {Kind::pending, {}, {}}; }
};

class Hooks {
public:
    virtual ~Hooks() = default;

    // MAIL FROM (sender "" is the null sender) and RCPT TO; also VRFY,
    // which uses check_recipient.  A reject reply is sent as given and
    // logged as a "NOQUEUE: reject:" line.
    virtual Verdict check_sender(const Envelope &env, std::string_view sender) = 0;
    virtual Verdict check_recipient(const Envelope &env, const Recipient &rcpt) = 0;

    // DATA or the first BDAT: open a queue file for this envelope.
    virtual Verdict begin_message(const Envelope &env) = 0;
    // Message content, in arriving order, in chunks of any size: dot-
    // unstuffed, every line ending in CRLF (DATA) or as sent (BDAT).  A
    // write failure is remembered and reported by end_message.
    virtual void message_data(std::string_view chunk) = 0;
    // End of content: accept with the queue id once the file is durable,
    // or reject (451 4.3.0 Error: queue file write error, ...).
    virtual Verdict end_message() = 0;
    // The message will not be completed (RSET, size limit, disconnect,
    // TLS start...): remove whatever begin_message created.
    virtual void abort_message() = 0;

    // ETRN domain.  Postfix answers this way when no fast flush service
    // covers the domain.
    virtual Verdict etrn(std::string_view domain)
    {
        return Verdict::reject(Reply{459, "", "<" + std::string(domain) + ">: service unavailable"});
    }
};

} // namespace ferry::smtpd
