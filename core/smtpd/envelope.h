// envelope.h - what the SMTP server learned about one message before DATA.
//
// The session fills an Envelope from HELO/EHLO, MAIL FROM and RCPT TO, and
// hands it to Hooks::begin_message.  Addresses are stored without the angle
// brackets and without a source route; the null sender is "".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::smtpd {

// RFC 3461 NOTIFY= values, as a bit set; 0 means "not given".
enum NotifyFlags : unsigned {
    notify_none = 0,
    notify_never = 1u << 0,
    notify_success = 1u << 1,
    notify_failure = 1u << 2,
    notify_delay = 1u << 3,
};

enum class Ret { unspecified, full, hdrs };              // RFC 3461 RET=
enum class Body { unspecified, seven_bit, eight_bit_mime }; // RFC 6152 BODY=

struct Recipient {
    std::string address;
    unsigned notify = notify_none;
    std::string orcpt; // "rfc822;user@example", xtext-decoded; empty if absent
};

struct Envelope {
    std::string sender;
    std::vector<Recipient> recipients;
    std::string envid;                    // RFC 3461 ENVID, xtext-decoded
    Ret ret = Ret::unspecified;
    Body body = Body::unspecified;
    bool smtputf8 = false;
    std::optional<std::uint64_t> size;    // the client's SIZE= estimate
    std::string helo_name;
    std::string protocol;                 // "SMTP", "ESMTP", "ESMTPS"
    std::string client_name;              // "unknown" when it has no name
    std::string client_addr;
    bool chunking = false;                // content arrived by BDAT
};

} // namespace ferry::smtpd
