// texthash_table.cpp - texthash:/file, a table read from a Postfix table
// source file ("key whitespace value") into memory at open, without
// building an indexed file.  Malformed lines are warned about with file and
// line and skipped; duplicates follow the dup_* open flags, and without
// them are warned about and the first value kept (what postmap -q does).
#include "maps/builtin.h"
#include "maps/memory_table.h"
#include "maps/table_source.h"

#include "log/msg.h"

namespace ferry {

OpenedMap open_texthash_table(std::string_view name, unsigned flags) {
    const std::string path(name);
    TableSource src = read_table_source(path);
    if (!src.error.empty())
        return {nullptr, "open database " + path + ": " + src.error};

    auto table = std::make_unique<MemoryTable>("texthash", path, flags);
    const bool replace = flags & map_flags::dup_replace;
    const bool quiet = flags & (map_flags::dup_ignore | map_flags::dup_replace);
    for (const LogicalLine &l : src.lines) {
        auto kv = parse_table_record(path, l, " -- ignoring this line");
        if (!kv) continue;
        // Postfix names the duplicate as written, not as folded.
        if (!table->insert(kv->key, kv->value, replace) && !quiet)
            msg::warning(path + ", line " + std::to_string(l.line) +
                         ": duplicate entry: \"" + kv->key + "\"");
    }
    return {std::move(table), {}};
}

} // namespace ferry
