// rfc822_tokens.cpp - see rfc822_tokens.h.
#include "address/rfc822_tokens.h"

#include <cstring>

namespace ferry::address {
namespace {

// Characters that end an atom and stand alone as a token.  Beyond RFC 822's
// specials, Postfix treats the source-route operators ! % | as specials.
bool is_special_char(char c) { return std::strchr(")<>@,;:.]!%|", c) != nullptr && c != 0; }

bool is_white(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// An atom must be quoted when written out if it holds a character that could
// not appear in an unquoted atom.
bool needs_quoting(const std::string &atom) {
    for (unsigned char c : atom) {
        if (c < 0x20 || c == 0x7f || c == ' ') return true;
        if (std::strchr("()<>@,;:\\\".[]", c) && c != 0) return true;
    }
    return false;
}

std::string quote(const std::string &s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

// Reads a delimited run starting at text[i] (the opener), honouring
// backslash escapes; `raw` keeps escapes and delimiters, `content` drops them.
// Comments nest.  An unterminated run ends at the end of the text.
void scan_delimited(std::string_view text, size_t &i, char open, char close, bool nests,
                    std::string &raw, std::string &content) {
    int depth = 0;
    raw += text[i++];
    depth = 1;
    while (i < text.size()) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            raw += c;
            raw += text[i + 1];
            content += text[i + 1];
            i += 2;
            continue;
        }
        ++i;
        if (nests && c == open) ++depth;
        if (c == close && --depth == 0) {
            raw += c;
            return;
        }
        raw += c;
        content += c;
    }
}

std::string render(const std::vector<Token> &tokens, bool external) {
    std::string out;
    const Token *prev = nullptr;
    for (const auto &t : tokens) {
        if (t.is_special(',')) {
            out += ", ";
            prev = &t;
            continue;
        }
        if (prev && prev->is_word() && (t.is_word() || t.is_special('<'))) out += ' ';
        switch (t.kind) {
        case Token::Kind::Atom:
            out += external && needs_quoting(t.text) ? quote(t.text) : t.text;
            break;
        case Token::Kind::Quoted:
            out += external ? quote(t.text) : t.text;
            break;
        default:
            out += t.text;
        }
        prev = &t;
    }
    return out;
}

} // namespace

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (is_white(c)) {
            ++i;
        } else if (c == '(') {
            std::string raw, content;
            scan_delimited(text, i, '(', ')', true, raw, content);
            tokens.push_back({Token::Kind::Comment, raw});
        } else if (c == '"') {
            std::string raw, content;
            scan_delimited(text, i, '"', '"', false, raw, content);
            tokens.push_back({Token::Kind::Quoted, content});
        } else if (c == '[') {
            std::string raw, content;
            scan_delimited(text, i, '[', ']', false, raw, content);
            tokens.push_back({Token::Kind::DomainLiteral, raw});
        } else if (is_special_char(c)) {
            tokens.push_back({Token::Kind::Special, std::string(1, c)});
            ++i;
        } else {
            std::string atom;
            while (i < text.size()) {
                char a = text[i];
                if (a == '\\' && i + 1 < text.size()) {
                    atom += text[i + 1];
                    i += 2;
                    continue;
                }
                if (is_white(a) || is_special_char(a) || a == '(' || a == '"' || a == '[') break;
                atom += a;
                ++i;
            }
            tokens.push_back({Token::Kind::Atom, atom});
        }
    }
    return tokens;
}

std::string externalize(const std::vector<Token> &tokens) { return render(tokens, true); }
std::string internalize(const std::vector<Token> &tokens) { return render(tokens, false); }

} // namespace ferry::address
