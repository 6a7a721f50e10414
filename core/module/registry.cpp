// registry.cpp - see registry.h.
#include "module/registry.h"

#include "log/msg.h"
#include "maps/table_source.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace ferry::module {

Registry Registry::load(const std::filesystem::path &dir) {
    Registry reg;
    std::error_code ec;
    if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return reg;
    std::vector<std::filesystem::path> snippets;
    for (const auto &e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".conf") snippets.push_back(e.path());
    if (ec) msg::warning("module registry " + dir.string() + ": " + ec.message());
    std::sort(snippets.begin(), snippets.end());

    for (const auto &path : snippets) {
        std::ifstream in(path);
        if (!in) {
            msg::warning("cannot open module registry file " + path.string());
            continue;
        }
        std::string raw;
        int number = 0;
        while (std::getline(in, raw)) {
            ++number;
            std::string_view text = raw;
            if (size_t hash = text.find('#'); hash != std::string_view::npos)
                text = text.substr(0, hash);
            std::istringstream words{std::string(trim_blanks(text))};
            std::vector<std::string> fields;
            for (std::string w; words >> w;) fields.push_back(w);
            if (fields.empty()) continue;
            auto warn = [&](const std::string &what) {
                msg::warning(path.string() + ", line " + std::to_string(number) +
                             ": " + what + " -- ignoring this line");
            };
            if (fields.size() != 3) {
                warn("expected format: map|transport NAME FILE");
                continue;
            }
            RegistryEntry entry{fields[1], fields[2], path.string(), number};
            if (fields[0] == "map")
                reg.add(reg.maps_, reg.map_conflicts_, "map type", std::move(entry));
            else if (fields[0] == "transport")
                reg.add(reg.transports_, reg.transport_conflicts_, "transport",
                        std::move(entry));
            else
                warn("unknown kind \"" + fields[0] +
                     "\" (expected map or transport)");
        }
    }
    return reg;
}

void Registry::add(std::vector<RegistryEntry> &list,
                   std::map<std::string, std::string> &conflicts,
                   const char *kind, RegistryEntry entry) {
    auto same = std::find_if(list.begin(), list.end(), [&](const auto &e) {
        return e.name == entry.name;
    });
    if (same == list.end()) {
        list.push_back(std::move(entry));
        return;
    }
    if (same->file == entry.file) return; // said twice, same meaning
    std::string text = std::string(kind) + " \"" + entry.name +
                       "\" is claimed by both " + same->file + " (" +
                       same->where() + ") and " + entry.file + " (" +
                       entry.where() + ")";
    msg::warning(entry.where() + ": " + text);
    conflicts.emplace(entry.name, text);
}

const RegistryEntry *Registry::find_map(std::string_view type) const {
    for (const auto &e : maps_)
        if (e.name == type) return &e;
    return nullptr;
}

const RegistryEntry *Registry::find_transport(std::string_view name) const {
    for (const auto &e : transports_)
        if (e.name == name) return &e;
    return nullptr;
}

std::string Registry::map_conflict(std::string_view type) const {
    auto it = map_conflicts_.find(std::string(type));
    return it == map_conflicts_.end() ? std::string() : it->second;
}

void Registry::forget_map(std::string_view type) {
    std::erase_if(maps_, [&](const auto &e) { return e.name == type; });
    map_conflicts_.erase(std::string(type));
}

} // namespace ferry::module
