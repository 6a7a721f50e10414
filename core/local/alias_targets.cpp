// alias_targets.cpp - see alias_targets.h.
#include "local/alias_targets.h"

#include <cctype>

namespace ferry::local {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

AliasTarget classify(std::string_view item) {
    std::string text(item);
    // "|cmd with args" and "/path with space" are written quoted.
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
        (text[1] == '|' || text[1] == '/' || starts_with_nocase(text.substr(1), ":include:")))
        text = text.substr(1, text.size() - 2);
    if (!text.empty() && text[0] == '|') return {AliasTargetKind::command, text.substr(1)};
    if (!text.empty() && text[0] == '/') return {AliasTargetKind::file, text};
    if (starts_with_nocase(text, ":include:"))
        return {AliasTargetKind::include, std::string(trim(std::string_view(text).substr(9)))};
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
    return {AliasTargetKind::address, text};
}

} // namespace

std::vector<AliasTarget> parse_alias_value(std::string_view value) {
    std::vector<AliasTarget> out;
    bool quoted = false;
    int angle = 0;
    size_t start = 0;
    for (size_t i = 0; i <= value.size(); ++i) {
        char c = i < value.size() ? value[i] : ',';
        if (i < value.size() && c == '\\' && i + 1 < value.size()) {
            ++i; // an escaped character is never a separator
            continue;
        }
        if (c == '"') quoted = !quoted;
        else if (!quoted && c == '<') ++angle;
        else if (!quoted && c == '>' && angle > 0) --angle;
        else if (c == ',' && ((!quoted && angle == 0) || i == value.size())) {
            std::string_view item = trim(value.substr(start, i - start));
            if (!item.empty()) out.push_back(classify(item));
            start = i + 1;
        }
    }
    return out;
}

const char *alias_kind_name(AliasTargetKind kind) {
    switch (kind) {
    case AliasTargetKind::address: return "address";
    case AliasTargetKind::command: return "command";
    case AliasTargetKind::file: return "file";
    case AliasTargetKind::include: return ":include:";
    }
    return "address";
}

} // namespace ferry::local
