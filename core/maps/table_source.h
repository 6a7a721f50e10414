// table_source.h - reads a Postfix table source file as logical lines.
//
// The format shared by texthash:, cidr: (and postmap's input): a line that
// starts with whitespace continues the previous logical line; empty lines
// and lines whose first non-blank character is '#' are skipped and do not
// end a logical line.  Each logical line reports the number of the physical
// line it started on, which is what warnings cite ("FILE, line N: ...").
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

struct LogicalLine {
    int line = 0;     // physical line where it started
    std::string text; // joined text, newline removed, continuations kept
};

struct TableSource {
    std::vector<LogicalLine> lines;
    std::string error; // set when the file could not be read (errno text)
};

// Read `path`.  On failure `error` holds strerror(errno).  A continuation
// line with nothing before it is warned about like Postfix and dropped.
TableSource read_table_source(const std::string &path);
// The same from an open stream (postmap -i reads stdin); `path` names it.
TableSource read_table_source(std::istream &in, const std::string &path);

// Split "key whitespace value": the key runs to the first whitespace outside
// double quotes (quotes are kept, as postmap does), the value is the rest
// with surrounding whitespace removed.  nullopt when there is no value.
struct KeyValue {
    std::string key;
    std::string value;
};
std::optional<KeyValue> split_key_value(std::string_view text);

// One "key whitespace value" record as postmap and texthash: read it:
// a line without a value gets "expected format: key whitespace value"
// (followed by `suffix`, " -- ignoring this line" for texthash) and is
// skipped; a key ending in ':' gets the "is this an alias file?" warning.
std::optional<KeyValue> parse_table_record(const std::string &path, const LogicalLine &line,
                                           std::string_view suffix = {});

// ASCII lower-casing, as Postfix folds table keys.
std::string fold_case(std::string_view s);

// Whitespace as Postfix's ISSPACE (includes CR, so CRLF files work).
inline bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}
std::string_view trim_blanks(std::string_view s);

} // namespace ferry
