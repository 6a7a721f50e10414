// values.h - reading the kinds of values main.cf parameters hold, the way
// Postfix reads them everywhere.
#pragma once

#include <string_view>
#include <vector>

namespace ferry::config {

// A list parameter's items: separated by commas and/or whitespace, with
// "{...}" (as in "inline:{a=b, c=d}") kept in one piece.  The views point
// into `text`, which must outlive them: never pass a temporary string to
// a range-for over the result.
std::vector<std::string_view> list_items(std::string_view text);

// A time value ("300s", "5m", "1h", "2d", "1w"; a bare number is in
// seconds) in seconds; `fallback` when empty or not a number.
int time_seconds(std::string_view value, int fallback);

} // namespace ferry::config
