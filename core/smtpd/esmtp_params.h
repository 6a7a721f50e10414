// esmtp_params.h - MAIL FROM and RCPT TO parameters (RFC 1870, 3461, 6152,
// 6531).
//
// Each parser reads the blank-separated "NAME=value" words after the
// address, stores what it understood, and returns the reply Postfix gives
// for the first word it cannot accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtpd/envelope.h"
#include "smtpd/reply.h"

namespace ferry::smtpd {

// RFC 3461 xtext: "+XX" stands for one byte; other bytes are printable
// ASCII other than '+' and '='.  Returns nothing when malformed.
std::optional<std::string> xtext_decode(std::string_view text);

// SIZE, BODY, RET, ENVID, SMTPUTF8, AUTH (accepted and ignored).  A SIZE
// over size_limit (0: none) is refused with 552 5.3.4.
std::optional<Reply> parse_mail_params(std::string_view params, std::uint64_t size_limit,
                                       Envelope &env);

// NOTIFY and ORCPT.
std::optional<Reply> parse_rcpt_params(std::string_view params, Recipient &rcpt);

} // namespace ferry::smtpd
