// reply.h - one SMTP server reply: code, enhanced status code and text.
//
// A reply is what the session sends and what a hook returns when it refuses
// something.  The text may hold several lines separated by '\n'; format()
// turns them into "250-..." continuation lines.  replies.h holds the
// vocabulary Postfix clients and log tools know.
#pragma once

#include <string>
#include <string_view>

namespace ferry::smtpd {

struct Reply {
    int code = 250;
    std::string enhanced; // "2.1.0", or empty where Postfix sends none
    std::string text;

    bool is_error() const { return code >= 400; }
    bool is_temporary() const { return code >= 400 && code < 500; }

    // "code enhanced text\r\n", one line per '\n'-separated line of text.
    std::string format() const;
    // The reply as one line for logs: "code enhanced text" (first line).
    std::string summary() const;

    friend bool operator==(const Reply &, const Reply &) = default;
};

} // namespace ferry::smtpd
