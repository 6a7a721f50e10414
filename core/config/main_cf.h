// main_cf.h - main.cf: "name = value" logical lines, and the edits postconf
// makes to the file (-e, -#, -X) that keep its comments and order.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::config {

struct MainCfEntry {
    std::string name;
    std::string value; // as written, blanks around it removed, not expanded
    int line = 0;
};

// Parses main.cf text.  A line without "name =" is fatal with Postfix's
// words ("PATH, line N: missing '=' after attribute name: "..."");
// a name set twice gets "overriding earlier entry" and the later value wins.
// Entries come back in file order, one per name (its last setting).
std::vector<MainCfEntry> parse_main_cf(std::string_view text, std::string_view path);

// How postconf changes a main.cf, line by line:
//   set:     replace the name's setting in place, or append it (-e)
//   comment: put "#" before the name's setting (-#)
//   remove:  delete the name's setting with its continuation lines (-X)
enum class Edit { set, comment, remove };

// Returns the new text.  `changes` maps names to new values (ignored for
// comment and remove).  Every setting of a name is changed, with its
// continuation lines; a name set more than once gets Postfix's warning
// "PATH: multiple entries for "name"".
std::string edit_main_cf(std::string_view text, Edit edit,
                         const std::vector<std::pair<std::string, std::string>> &changes,
                         std::string_view path = "main.cf");

// Writes a file the way postconf -e does: a temporary file next to it,
// fsync, rename over the original, fsync of the directory.  Fatal on error.
void replace_file(const std::string &path, std::string_view content);

} // namespace ferry::config
