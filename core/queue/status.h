// status.h - the result of a queue operation: ok, or a failure with a text
// that names the file and the cause ("open /var/spool/.../incoming/X: No
// space left on device").
//
// Failures on the receive path are expected (full disk, oversize message,
// corrupt file from a restore), so they are values, not exceptions.  The code
// lets a caller tell an oversize message (5xx) from a disk problem (4xx).
#pragma once

#include <string>
#include <utility>

namespace ferry::queue {

enum class StatusCode {
    ok,
    too_big,   // message_size_limit exceeded: a permanent answer (552 5.3.4)
    io_error,  // the system refused: try again later (451 4.3.0 / 452 4.3.1)
    corrupt,   // a queue file that does not follow docs/queue-format.md
    exists,    // the final name is taken: never overwrite a queued message
    invalid,   // a caller error: bad queue id, writer in the wrong state
};

class Status {
public:
    Status() = default;
    Status(StatusCode code, std::string text) : code_(code), text_(std::move(text)) {}

    static Status success() { return {}; }

    bool ok() const { return code_ == StatusCode::ok; }
    explicit operator bool() const { return ok(); }
    StatusCode code() const { return code_; }
    const std::string &text() const { return text_; }

private:
    StatusCode code_ = StatusCode::ok;
    std::string text_;
};

} // namespace ferry::queue
