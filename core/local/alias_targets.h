// alias_targets.h - the right-hand side of an aliases(5) entry, split into
// its targets ("root: alice, bob@example.org, |/bin/cmd, /var/log/x").
//
// Only plain addresses are delivered for now; commands, files and
// :include: lists are recognised so the caller can defer them with a
// reason instead of mistaking them for addresses (or dropping them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::local {

enum class AliasTargetKind { address, command, file, include };

struct AliasTarget {
    AliasTargetKind kind = AliasTargetKind::address;
    std::string text; // the address without <>, the command without |, ...
};

// Splits at commas outside double quotes and <>; blanks around each target
// are dropped, empty targets skipped.  A quoted target ("|cmd arg") loses
// its quotes before it is classified.
std::vector<AliasTarget> parse_alias_value(std::string_view value);

// "command", "file", ":include:" - for log texts.
const char *alias_kind_name(AliasTargetKind kind);

} // namespace ferry::local
