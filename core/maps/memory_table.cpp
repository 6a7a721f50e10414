// memory_table.cpp - see memory_table.h.
#include "maps/memory_table.h"

#include "maps/table_source.h"

namespace ferry {

MemoryTable::MemoryTable(std::string type, std::string name, unsigned flags)
    : Map(std::move(type), std::move(name), map_props::sequence),
      fold_(flags & map_flags::fold) {}

std::string MemoryTable::key_form(std::string_view key) const {
    return fold_ ? fold_case(key) : std::string(key);
}

bool MemoryTable::insert(std::string key, std::string value, bool replace) {
    key = key_form(key);
    auto it = index_.find(key);
    if (it != index_.end()) {
        if (replace) entries_[it->second].value = std::move(value);
        return false;
    }
    index_.emplace(key, entries_.size());
    entries_.push_back({std::move(key), std::move(value)});
    return true;
}

LookupResult MemoryTable::lookup(std::string_view key) {
    auto it = index_.find(key_form(key));
    if (it == index_.end()) return LookupResult::not_found();
    return LookupResult::found(entries_[it->second].value);
}

LookupStatus MemoryTable::sequence(bool first, Entry &out, std::string &) {
    if (first) cursor_ = 0;
    if (cursor_ >= entries_.size()) return LookupStatus::NotFound;
    out = entries_[cursor_++];
    return LookupStatus::Found;
}

} // namespace ferry
