// alias.cpp - `ferry alias`, also run as `postalias` and `newaliases`:
// aliases(5) files ("name: value, value", quoted names, continuation lines,
// :include:) into alias databases.
//
// Values are stored re-serialised as RFC 822 token lists, as Postfix stores
// them ("joe,\n  jane ,bob" becomes "joe, jane, bob"), and a build ends with
// the "@" -> "@" entry that sendmail-compatible readers take as "complete".
#include "address/rfc822_tokens.h"
#include "cmd/commands.h"
#include "cmd/table_tool.h"
#include "log/msg.h"

#include <string_view>

namespace ferry::cmd {
namespace {

bool parse_alias_line(const std::string &path, const LogicalLine &line, std::string &key,
                      std::string &value) {
    using address::Token;
    std::string where = path + ", line " + std::to_string(line.line);
    auto tokens = address::tokenize(line.text);
    size_t colon = 0;
    while (colon < tokens.size() && !tokens[colon].is_special(':')) ++colon;
    if (colon == 0 || colon + 1 >= tokens.size()) {
        msg::warning(where + ": need name:value pair");
        return false;
    }
    std::vector<Token> name(tokens.begin(), tokens.begin() + static_cast<long>(colon));
    std::vector<Token> rest(tokens.begin() + static_cast<long>(colon) + 1, tokens.end());
    for (const auto &t : name) {
        if (t.is_special('@')) {
            msg::warning(where + ": name must be local");
            return false;
        }
    }
    key = address::internalize(name);
    value = address::externalize(rest);
    return true;
}

} // namespace

int alias_main(int argc, char **argv) {
    SourceFormat format;
    format.usage = "postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] "
                   "[map_type:]file...";
    format.list_separator = ":\t";
    format.parse = parse_alias_line;
    format.trailer = {{"@", "@"}};
    std::string_view self(argv[0]);
    bool newaliases = self.size() >= 10 && self.substr(self.size() - 10) == "newaliases";
    // newaliases takes no table names: it rebuilds every table in
    // alias_database.
    std::vector<std::string> defaults;
    if (newaliases) defaults.push_back("alias_database");
    return run_table_tool(argc, argv, format, defaults);
}

} // namespace ferry::cmd
