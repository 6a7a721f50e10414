// header_addresses.h - the addresses in an RFC 5322 address-list header
// value (To:, Cc:, Bcc:), as `sendmail -t` takes its recipients.
//
// Understands display names ("Jane Doe" <jane@example.com>), comments
// (jane@example.com (Jane)), quoted strings with commas in them, and groups
// (undisclosed-recipients:; or team: a@x, b@y;).  The result is the bare
// addresses, in order, without <>; an empty group gives nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::pickup {

std::vector<std::string> header_addresses(std::string_view value);

// The header's name if `line` starts a header ("To" for "To: x"), else "".
std::string_view header_name(std::string_view line);

} // namespace ferry::pickup
