// expand.h - Postfix's $name expansion of parameter values.
//
// Forms: $name, ${name}, $(name), $$ (a literal $), ${name?value},
// ${name:value}, ${name?{value}}, ${name:{value}}, ${name?{t}:{f}}, and the
// Postfix 3.6 comparisons ${{a} OP {b} ? {t} : {f}} with OP one of ==, !=,
// <, <=, >, >= (numbers) or <level, <=level, >level, >=level (compatibility
// levels such as 3.6).  Lookup results are expanded in turn; more than 100
// levels is treated as a loop, the way Postfix does ("unreasonable macro call
// nesting" then "fatal: macro processing error").  A "defined" name for ?
// and : is one whose value is not empty.  Syntax errors are warnings with
// Postfix's words; the value is then unusable (ok == false).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::config {

// Returns the raw (unexpanded) value of a parameter, or nullopt.
using RawLookup = std::function<std::optional<std::string>(std::string_view)>;

struct Expansion {
    std::string value;
    bool ok = true;
};

// Expands `text`; a loop is fatal (msg::fatal), as in Postfix.
Expansion expand(std::string_view text, const RawLookup &lookup);

// The parameter names `text` refers to, without looking anything up (both
// branches of conditionals included); ok == false after a syntax warning.
struct References {
    std::vector<std::string> names;
    bool ok = true;
};
References referenced_names(std::string_view text, bool warn = true);

// Whether a string is a valid parameter name: letters, digits, '_'.
bool is_param_name(std::string_view name);

} // namespace ferry::config
