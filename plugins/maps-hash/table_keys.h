// table_keys.h - how keys and values are spelled inside a Postfix .db file.
//
// Postfix's dict_db treats keys and values as C strings: anything after an
// embedded NUL is not part of them, keys are folded with an ASCII-only
// lowercase() when folding is on, and each record is stored either with one
// trailing NUL byte counted in its size ("1NULL", postmap's default and -N)
// or without ("0NULL", postmap -n).  These helpers are that spelling, kept in
// one place so lookup, update, delete and sequence agree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ferry::maps_hash {

// The part of (data, len) before the first NUL, as Postfix's strlen() sees it.
std::string_view c_string(const char *data, std::size_t len);

// Lower-case ASCII letters only, as Postfix's lowercase(); bytes >= 0x80
// (UTF-8) are left alone.  UTF-8 case folding under smtputf8_enable is done
// by Postfix above the table layer, and so belongs to Ferry's core.
std::string fold_ascii(std::string_view key);

// A record's bytes as stored: the text, plus one NUL when with_nul.
std::string stored_form(std::string_view text, bool with_nul);

// Copy a message into a caller's (err, errlen) buffer, always terminated.
void put_error(char *err, std::size_t errlen, std::string_view text);

} // namespace ferry::maps_hash
