// memory_table.h - a table held in memory in insertion order, the storage
// behind inline: and texthash:.  Keys are folded when the table was opened
// with map_flags::fold, and lookups fold the same way.
#pragma once

#include "maps/map.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace ferry {

class MemoryTable : public Map {
public:
    MemoryTable(std::string type, std::string name, unsigned flags);

    // Insert; returns false (and keeps the table as is) when the key exists
    // and `replace` is false.
    bool insert(std::string key, std::string value, bool replace);
    bool contains(const std::string &key) const { return index_.count(key); }
    std::string key_form(std::string_view key) const;

    LookupResult lookup(std::string_view key) override;
    LookupStatus sequence(bool first, Entry &out, std::string &why) override;

private:
    bool fold_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, size_t> index_;
    size_t cursor_ = 0;
};

} // namespace ferry
