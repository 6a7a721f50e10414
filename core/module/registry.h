// registry.h - the module registry: which module file provides which table
// type or transport.
//
// The registry directory holds one snippet per module (*.conf, read in name
// order), each line "KIND NAME FILE" with KIND "map" or "transport"; '#'
// starts a comment, blank lines are ignored.  A malformed line is warned
// about ("FILE, line N: ...") and skipped.  Two snippets that give the same
// NAME to different files make that name a conflict: it is reported naming
// both, and the name is unusable until one snippet is fixed, because
// guessing which module should see the mail would be worse.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::module {

struct RegistryEntry {
    std::string name;   // table type or transport name
    std::string file;   // module file as written (bare name or path)
    std::string source; // snippet file that said so
    int line = 0;
    std::string where() const { return source + ", line " + std::to_string(line); }
};

class Registry {
public:
    // Read every *.conf in `dir`.  A missing directory is an empty registry.
    static Registry load(const std::filesystem::path &dir);

    const RegistryEntry *find_map(std::string_view type) const;
    const RegistryEntry *find_transport(std::string_view name) const;
    // Why a name is unusable (claimed twice), or empty.
    std::string map_conflict(std::string_view type) const;

    const std::vector<RegistryEntry> &maps() const { return maps_; }
    const std::vector<RegistryEntry> &transports() const { return transports_; }

    // Drop a map type (the catalog does this for names that are built in).
    void forget_map(std::string_view type);

private:
    void add(std::vector<RegistryEntry> &list, std::map<std::string, std::string> &conflicts,
             const char *kind, RegistryEntry entry);

    std::vector<RegistryEntry> maps_;
    std::vector<RegistryEntry> transports_;
    std::map<std::string, std::string> map_conflicts_;
    std::map<std::string, std::string> transport_conflicts_;
};

} // namespace ferry::module
