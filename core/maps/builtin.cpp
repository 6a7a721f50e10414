// builtin.cpp - the list of built-in table types (see builtin.h).
#include "maps/builtin.h"

namespace ferry {

std::span<const BuiltinType> builtin_types() {
    // cidr and unix answer only whole keys they understand, but only cidr
    // is a pattern table: callers give it the whole client address.
    static const BuiltinType types[] = {
        {"cidr", map_props::pattern, open_cidr_table},
        {"fail", 0, open_fail_table},
        {"inline", map_props::sequence, open_inline_table},
        {"nis", 0, open_nis_table},
        {"static", 0, open_static_table},
        {"texthash", map_props::sequence, open_texthash_table},
        {"unix", 0, open_unix_table},
    };
    return types;
}

} // namespace ferry
