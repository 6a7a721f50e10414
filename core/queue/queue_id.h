// queue_id.h - queue ids: unique across queues, restarts, hosts and restores,
// and shaped like Postfix's long queue ids so log tools keep working.
//
// Shape (23 characters, letters and digits only, so it is a safe file name
// and matches pflogsumm's `\w+` / `[^:\s]+`):
//
//     SSSSSSUUUU z RRRRRRRRRRRR
//
//   SSSSSS  arrival second since the epoch, 6 digits of the base-52 alphabet
//   UUUU    microsecond, 4 digits of the base-52 alphabet
//   z       the separator Postfix uses between time and the rest
//   R...    12 digits of the base-51 alphabet (no 'z'): about 68 random bits
//           from getrandom(2), where Postfix puts the file's inode number.
//
// The alphabets are digits and consonants (no vowels, so no words); base 51
// is base 52 without 'z', so the first 'z' after the fixed 10-character time
// part is the separator.  Within one process the time part is strictly
// increasing (a clash in the same microsecond moves to the next one), so ids
// from one process never repeat; across processes and hosts the random part
// makes a clash as likely as guessing a 68-bit number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::queue {

inline constexpr size_t queue_id_length = 23;
// Longest id postsuper and friends accept (Postfix's own ids included).
inline constexpr size_t queue_id_max_length = 64;

// A new id.  Thread-safe.
std::string new_queue_id();

// What `postsuper -d ID`, `postcat -q ID` and queue scans accept: 1 to
// queue_id_max_length ASCII letters and digits.  This admits Postfix's short
// (hex) and long ids too, and rejects everything that could leave the queue
// directory ("../x", "a/b", "") or name a temporary file.
bool is_valid_queue_id(std::string_view id);

// True only for ids in the exact shape new_queue_id() makes.
bool is_ferry_queue_id(std::string_view id);

// The arrival time encoded in a Ferry id, in microseconds since the epoch;
// 0 if the id is not in Ferry's shape.
std::uint64_t queue_id_time_us(std::string_view id);

} // namespace ferry::queue
