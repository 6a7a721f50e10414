// ldap_escape.cpp - see ldap_escape.h.
#include "ldap_escape.h"

namespace ferry::maps_ldap {
namespace {

void append_hex(unsigned char c, std::string &out) {
    static const char digits[] = "0123456789ABCDEF";
    out.push_back('\\');
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0f]);
}

void quote_set(std::string_view in, std::string_view special, std::string &out) {
    for (char ch : in) {
        if (ch == '\0' || special.find(ch) != std::string_view::npos)
            append_hex(static_cast<unsigned char>(ch), out);
        else
            out.push_back(ch);
    }
}

} // namespace

void quote_filter_value(std::string_view in, std::string &out) {
    quote_set(in, "*()\\", out);
}

void quote_dn_value(std::string_view in, std::string &out) {
    quote_set(in, " \t\r\n\"#+,;<>=\\", out);
}

} // namespace ferry::maps_ldap
