// header_addresses.cpp - see header_addresses.h.
#include "pickup/header_addresses.h"

namespace ferry::pickup {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string trim(std::string_view s) {
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// One mailbox ("Name <a@b>", "a@b (comment)") to its bare address.
void take_mailbox(std::string_view text, std::vector<std::string> &out) {
    std::string plain, angle;
    bool in_angle = false, have_angle = false, quoted = false;
    int comment = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size() && (quoted || comment)) {
            if (!comment) (in_angle ? angle : plain) += text.substr(i, 2);
            ++i;
            continue;
        }
        if (comment) {
            if (c == '(') ++comment;
            else if (c == ')') --comment;
            continue;
        }
        if (c == '"') quoted = !quoted;
        else if (!quoted && c == '(') { ++comment; continue; }
        else if (!quoted && c == '<' && !in_angle) { in_angle = true; have_angle = true; angle.clear(); continue; }
        else if (!quoted && c == '>' && in_angle) { in_angle = false; continue; }
        (in_angle ? angle : plain) += c;
    }
    std::string addr = trim(have_angle ? angle : plain);
    // A source route (<@relay:user@host>) is obsolete; keep what follows it.
    if (!addr.empty() && addr[0] == '@') {
        auto colon = addr.find(':');
        addr = colon == std::string::npos ? "" : trim(addr.substr(colon + 1));
    }
    if (!have_angle) {
        // Unquoted blanks between words of a bare address are folding.
        std::string joined;
        bool q = false;
        for (char c : addr) {
            if (c == '"') q = !q;
            if (!q && blank(c)) continue;
            joined += c;
        }
        addr = joined;
    }
    if (!addr.empty()) out.push_back(addr);
}

} // namespace

std::vector<std::string> header_addresses(std::string_view value) {
    std::vector<std::string> out;
    size_t start = 0;
    bool quoted = false, in_angle = false;
    int comment = 0;
    for (size_t i = 0; i <= value.size(); ++i) {
        char c = i < value.size() ? value[i] : ',';
        if (i < value.size() && c == '\\' && (quoted || comment)) {
            ++i;
            continue;
        }
        if (comment) {
            if (c == '(') ++comment;
            else if (c == ')') --comment;
            if (i < value.size()) continue;
            c = ',';
        }
        if (c == '"') quoted = !quoted;
        if (quoted && i < value.size()) continue;
        if (c == '(') ++comment;
        else if (c == '<') in_angle = true;
        else if (c == '>') in_angle = false;
        else if (!in_angle && c == ':') start = i + 1; // a group's name
        else if (!in_angle && (c == ',' || c == ';')) {
            take_mailbox(value.substr(start, i - start), out);
            start = i + 1;
        }
    }
    return out;
}

std::string_view header_name(std::string_view line) {
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == ':') return i == 0 ? std::string_view{} : line.substr(0, i);
        if (c <= ' ' || c >= 127) return {};
    }
    return {};
}

} // namespace ferry::pickup
