// inline_table.h - Postfix 3.7 inline tables: regexp:{ {rule}, {rule} }.
//
// When the table name starts with "{", it holds the rules themselves: the
// outer braces enclose items separated by commas or whitespace, each item
// is "{ rule }", and whitespace after "{" and before "}" is dropped.  Each
// rule becomes one line of table text.  Malformed text is an open error in
// Postfix's words ("regexp map: missing '}' in ...").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::regexp {

// Returns the table text, or nothing with the reason in why.
std::optional<std::string> inline_table_text(std::string_view name,
                                             std::string_view type,
                                             std::string &why);

} // namespace ferry::regexp
