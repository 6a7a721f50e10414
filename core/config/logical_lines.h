// logical_lines.h - Postfix's logical lines, shared by main.cf and master.cf.
//
// A logical line is a physical line plus the lines after it that start with
// whitespace.  Blank lines and lines whose first non-blank character is '#'
// are dropped, also between a line and its continuation.  Continuation text
// is joined as written (its leading whitespace stays), and text after a NUL
// byte in a physical line is dropped, as Postfix's C strings do.  Text that
// starts with whitespace with nothing before it gets Postfix's warning and is
// skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::config {

struct LogicalLine {
    std::string text;
    int line = 0; // number of the first physical line, counting from 1
};

// `path` names the file in warnings ("/etc/postfix/main.cf").
std::vector<LogicalLine> read_logical_lines(std::string_view text, std::string_view path);

// Postfix shows at most 30 characters of an offending line, non-printable
// characters as '?', and "..." when it cut the text.
std::string printable_excerpt(std::string_view text, std::size_t limit = 30);

} // namespace ferry::config
