// queue_tool_submit.h - sendmail's way into the maildrop queue: who is
// submitting, and one message written through pickup::MaildropWriter with
// Postfix's error texts ("root(0): error writing queue file: ...").
#pragma once

#include "pickup/maildrop.h"
#include "queue/queue_file.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ferry {
class Config;
}

namespace ferry::cmd {

struct Submitter {
    std::string name; // login name
    unsigned long uid = 0;
    // "name(uid)", the prefix of sendmail's messages.
    std::string text() const { return name + "(" + std::to_string(uid) + ")"; }
    // The real user; without a passwd entry it is fatal when the login name
    // is needed ("no login name found for user ID N"), else named by uid.
    static Submitter current(bool need_name);
};

// Where a message's content goes: lines (LF appended) or raw LF text.
class MaildropSink {
public:
    virtual ~MaildropSink() = default;
    virtual void line(std::string_view text) = 0;
    virtual void data(std::string_view text) = 0;
    // A failure of the producer (unreadable input): nothing is queued.
    virtual void fail(std::string text) = 0;
};

// The postdrop program installed beside this executable, told this
// configuration's directory unless it is the default.
pickup::MaildropWriter::Postdrop postdrop_for(const Config &cfg);

// Writes one maildrop file: envelope, then what `content` gives.  Fatal
// (exit 75) with Postfix's texts on any error; 0 when the file is durable.
int write_maildrop(const Config &cfg, const Submitter &who, const queue::Envelope &envelope,
                   const std::function<void(MaildropSink &)> &content, std::uint64_t size_limit);

// sendmail -bs: an SMTP session on standard input and output; each
// accepted message becomes a maildrop file.
int smtp_on_stdin(const Config &cfg, const Submitter &who);

} // namespace ferry::cmd
