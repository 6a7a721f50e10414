// line_reader.h - split a table file into Postfix "logical lines".
//
// Postfix's readllines(): blank lines and lines whose first non-blank
// character is '#' are ignored; a line starting with whitespace continues
// the previous logical line (joined without a separator, comments and blank
// lines in between skipped); a logical line that would start with
// whitespace is dropped with a warning.  Each logical line carries the
// number of its first physical line, which is what warnings name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.h"

namespace ferry::regexp {

struct LogicalLine {
    int lineno;       // first physical line of this logical line
    std::string text; // trailing whitespace already trimmed
};

// `path` is only used in the "must not start with whitespace" warning.
std::vector<LogicalLine> read_logical_lines(std::string_view text,
                                            const std::string &path,
                                            const WarnFn &warn);

} // namespace ferry::regexp
