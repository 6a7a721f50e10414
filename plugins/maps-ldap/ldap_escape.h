// ldap_escape.h - quoting a lookup key before it enters an LDAP request.
//
// A key must never change the meaning of a search: in a filter (RFC 4515)
// the characters * ( ) \ and NUL are written as \XX; in a DN (RFC 4514, the
// search_base) the characters that separate or quote (, + " \ < > ; =, '#',
// whitespace, NUL) are written as \XX.  Like Postfix, the DN quoting escapes
// '#' and whitespace everywhere, not only where RFC 4514 requires it; that is
// still a valid DN string for the same value.  Other bytes, UTF-8 included,
// pass unchanged (both RFCs allow UTF-8 as is).
#pragma once

#include <string>
#include <string_view>

namespace ferry::maps_ldap {

// Append `in` quoted for an LDAP search filter value to out.
void quote_filter_value(std::string_view in, std::string &out);

// Append `in` quoted for an attribute value in a DN string to out.
void quote_dn_value(std::string_view in, std::string &out);

} // namespace ferry::maps_ldap
