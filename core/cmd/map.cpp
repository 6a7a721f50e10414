// map.cpp - `ferry map`, also run as `postmap`: Postfix table source files
// ("key whitespace value") into indexed tables, and queries on any table.
#include "cmd/commands.h"
#include "cmd/table_tool.h"
#include "maps/table_source.h"

namespace ferry::cmd {

int map_main(int argc, char **argv) {
    SourceFormat format;
    format.usage = "postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] "
                   "[map_type:]file...";
    format.list_separator = "\t";
    format.parse = [](const std::string &path, const LogicalLine &line, std::string &key,
                      std::string &value) {
        auto kv = parse_table_record(path, line);
        if (!kv) return false;
        key = std::move(kv->key);
        value = std::move(kv->value);
        return true;
    };
    return run_table_tool(argc, argv, format);
}

} // namespace ferry::cmd
