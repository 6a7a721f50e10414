// inline_table.cpp - inline:{key=value, {key = text, with commas}, ...}, a
// small table written in main.cf itself (Postfix 3.0+ syntax).  Entries are
// separated by commas or blanks; an entry in braces may contain both, and
// blanks around its '=' are ignored.  Later duplicates replace earlier ones,
// as in Postfix.  Errors use Postfix's wording.
#include "maps/builtin.h"
#include "maps/memory_table.h"
#include "maps/table_source.h"

#include <optional>
#include <vector>

namespace ferry {
namespace {

bool is_separator(char c) { return c == ',' || is_blank(c); }

// Index of the '}' that closes the '{' at `open`, or npos.
size_t matching_brace(std::string_view s, size_t open) {
    int depth = 0;
    for (size_t i = open; i < s.size(); ++i) {
        if (s[i] == '{') ++depth;
        else if (s[i] == '}' && --depth == 0) return i;
    }
    return std::string_view::npos;
}

struct Token {
    std::string_view text;
    bool braced;
};

std::string need(std::string_view spec) {
    return "\"" + std::string(spec) + "\"; need \"inline:{name=value...}\"";
}

} // namespace

OpenedMap open_inline_table(std::string_view name, unsigned flags) {
    const std::string spec = "inline:" + std::string(name);
    if (name.empty() || name.front() != '{' ||
        matching_brace(name, 0) != name.size() - 1)
        return {nullptr, "bad syntax: " + need(spec)};
    std::string_view body = name.substr(1, name.size() - 2);

    std::vector<Token> tokens;
    size_t i = 0;
    while (i < body.size()) {
        if (is_separator(body[i])) {
            ++i;
            continue;
        }
        if (body[i] == '{') {
            size_t close = matching_brace(body, i);
            if (close == std::string_view::npos)
                return {nullptr, "bad syntax: " + need(spec)};
            if (close + 1 < body.size() && !is_separator(body[close + 1])) {
                size_t end = close + 1;
                while (end < body.size() && !is_separator(body[end])) ++end;
                return {nullptr, "syntax error after '}' in \"" +
                                     std::string(body.substr(i, end - i)) +
                                     "\": " + need(spec)};
            }
            tokens.push_back({body.substr(i + 1, close - i - 1), true});
            i = close + 1;
            continue;
        }
        size_t start = i;
        while (i < body.size() && !is_separator(body[i])) {
            if (body[i] == '{') {
                size_t close = matching_brace(body, i);
                if (close == std::string_view::npos)
                    return {nullptr, "bad syntax: " + need(spec)};
                i = close;
            }
            ++i;
        }
        tokens.push_back({body.substr(start, i - start), false});
    }
    if (tokens.empty()) return {nullptr, "bad syntax: " + need(spec)};

    auto table =
        std::make_unique<MemoryTable>("inline", std::string(name), flags);
    for (const Token &t : tokens) {
        std::string_view text = trim_blanks(t.text);
        size_t n = 0;
        while (n < text.size() && text[n] != '=' && !is_blank(text[n])) ++n;
        size_t eq = n;
        while (eq < text.size() && is_blank(text[eq])) ++eq;
        if (eq >= text.size() || text[eq] != '=')
            return {nullptr,
                    "missing '=' after attribute name: " + need(spec)};
        table->insert(std::string(text.substr(0, n)),
                      std::string(trim_blanks(text.substr(eq + 1))), true);
    }
    return {std::move(table), {}};
}

} // namespace ferry
