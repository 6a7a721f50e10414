// table_tool.h - the engine shared by `ferry map` (postmap) and
// `ferry alias` (postalias, newaliases): build tables from source files,
// query, delete and list them, with Postfix's options and messages.
//
// The two commands differ only in how a source line becomes a key and a
// value, how a listed entry is printed, and which extra entries a build adds;
// a SourceFormat captures that.
#pragma once

#include "maps/catalog.h"
#include "maps/table_source.h"

#include <functional>
#include <string>
#include <vector>

namespace ferry::cmd {

struct SourceFormat {
    // "postmap" or "postalias": the usage line and messages.
    std::string usage;
    // Parses one logical line.  Returns false (after logging a warning) when
    // the line is skipped.
    std::function<bool(const std::string &path, const LogicalLine &line, std::string &key,
                       std::string &value)>
        parse;
    // Separator printed between key and value by -s and -q - ("\t" or ":\t").
    std::string list_separator;
    // Entries a build appends after the source (postalias: "@" -> "@").
    std::vector<std::pair<std::string, std::string>> trailer;
};

struct TableToolOptions {
    std::string config_dir;            // -c
    std::string default_type = "hash"; // default_database_type
};

// Runs the command line (argv[0] is the command's name) and returns the exit
// status.  `default_tables` is used when no table is named (newaliases).
int run_table_tool(int argc, char **argv, const SourceFormat &format,
                   const std::vector<std::string> &default_tables = {});

} // namespace ferry::cmd
