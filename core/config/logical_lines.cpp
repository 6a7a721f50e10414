// logical_lines.cpp - see logical_lines.h.
#include "config/logical_lines.h"

#include "log/msg.h"

#include <cctype>

namespace ferry::config {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Blank, or a comment: the first non-blank character is '#'.
bool is_ignorable(std::string_view line) {
    for (char c : line) {
        if (c == '#') return true;
        if (!is_space(c)) return false;
    }
    return true;
}

} // namespace

std::string printable_excerpt(std::string_view text, std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        out += std::isprint(c) ? static_cast<char>(c) : '?';
    }
    if (text.size() > limit) out += "...";
    return out;
}

std::vector<LogicalLine> read_logical_lines(std::string_view text, std::string_view path) {
    std::vector<LogicalLine> out;
    LogicalLine current;
    bool have = false;
    auto finish = [&] {
        if (have) out.push_back(std::move(current));
        current = LogicalLine{};
        have = false;
    };
    int lineno = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        std::string_view phys =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++lineno;
        if (auto nul = phys.find('\0'); nul != std::string_view::npos) phys = phys.substr(0, nul);
        if (is_ignorable(phys)) continue;
        if (is_space(phys.front())) {
            if (have) {
                current.text += phys;
            } else {
                // Continuation text with nothing to continue: Postfix warns and
                // skips it, together with any continuation lines after it.
                std::string orphan(phys);
                std::size_t p2 = pos;
                while (p2 < text.size()) {
                    std::size_t n2 = text.find('\n', p2);
                    std::string_view next = text.substr(
                        p2, n2 == std::string_view::npos ? std::string_view::npos : n2 - p2);
                    if (!next.empty() && !is_space(next.front()) && next.front() != '#') break;
                    if (!is_ignorable(next)) orphan += next.substr(0, next.find('\0'));
                    p2 = n2 == std::string_view::npos ? text.size() : n2 + 1;
                    ++lineno;
                }
                pos = p2;
                msg::warning(std::string(path) + ": logical line must not start with whitespace: \"" +
                             printable_excerpt(orphan) + "\"");
            }
            continue;
        }
        finish();
        current.text = std::string(phys);
        current.line = lineno;
        have = true;
    }
    finish();
    return out;
}

} // namespace ferry::config
