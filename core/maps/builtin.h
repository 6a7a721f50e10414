// builtin.h - the table types compiled into the core.
//
// Each lives in its own small file (static_table.cpp, inline_table.cpp,
// texthash_table.cpp, cidr_table.cpp, fail_table.cpp, unix_table.cpp,
// nis_table.cpp) and is reached only through the catalog.  Open errors use
// Postfix's wording so `postmap -q` reports the same text as Postfix does.
#pragma once

#include "maps/map.h"

#include <span>
#include <string_view>

namespace ferry {

struct BuiltinType {
    const char *type;
    unsigned props; // map_props::*
    OpenedMap (*open)(std::string_view name, unsigned flags);
};

// All built-in types, sorted by name.
std::span<const BuiltinType> builtin_types();

OpenedMap open_static_table(std::string_view name, unsigned flags);
OpenedMap open_inline_table(std::string_view name, unsigned flags);
OpenedMap open_texthash_table(std::string_view name, unsigned flags);
OpenedMap open_cidr_table(std::string_view name, unsigned flags);
OpenedMap open_fail_table(std::string_view name, unsigned flags);
OpenedMap open_unix_table(std::string_view name, unsigned flags);
OpenedMap open_nis_table(std::string_view name, unsigned flags);

} // namespace ferry
