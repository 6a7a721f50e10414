// maildir.h - delivery of one message into qmail-style Maildirs.
//
// Settings come from the master.cf command arguments (see README.md); the
// mailbox of a recipient is the `directory=` template with ${user} and
// ${domain} replaced by the recipient's local part and domain, folded to
// lower case.  One file per recipient: written under tmp/ with a unique
// name, synced, linked into new/, and new/ synced, so a message is either
// durable in new/ or not there at all.  Nothing here throws across the C
// boundary; module.cpp catches what the standard library may throw.
#pragma once

#include <ferry/plugin.h>

#include <cstdint>
#include <string>

namespace ferry::transport_maildir {

struct Settings {
    std::string directory; // template, e.g. /var/mail/${domain}/${user}/Maildir/
    bool original_recipient = true; // X-Original-To when the queue knows it
    std::string hostname;           // for unique file names
};

// Parse argv (argv[0] is the program name and is skipped).  False with a
// reason naming the bad argument.
bool parse_settings(int argc, const char *const *argv, const ferry_host *host,
                    Settings &out, std::string &why);

// The outcome for one recipient, as reported through ferry_delivery.report.
struct Outcome {
    int status = FERRY_DEFERRED;
    std::string dsn;
    std::string text;
};

// The message content, read without moving the caller's file offset.  A
// descriptor that cannot be read at an offset (a pipe) is first copied to
// an unlinked temporary file.
class Message {
public:
    Message() = default;
    ~Message();
    Message(const Message &) = delete;
    Message &operator=(const Message &) = delete;

    // False with a reason when the content cannot be read as promised
    // (including a file shorter than `size`).
    bool open(int fd, uint64_t size, std::string &why);
    // Append exactly size() bytes to out_fd; false with a reason naming
    // `dest` (and whether reading or writing failed) and out_errno set.
    bool copy_to(int out_fd, const std::string &dest, std::string &why,
                 int &out_errno, bool &read_failed) const;
    uint64_t size() const { return size_; }

private:
    int fd_ = -1;
    bool owned_ = false;
    off_t start_ = 0;
    uint64_t size_ = 0;
};

// Deliver to one recipient.
Outcome deliver_one(const Settings &settings, const ferry_delivery &request,
                    const ferry_recipient &recipient, const Message &message);

} // namespace ferry::transport_maildir
