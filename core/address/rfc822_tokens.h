// rfc822_tokens.h - RFC 822 address-list tokens, as Postfix scans them.
//
// Used where Postfix re-serialises address lists: alias values (postalias
// writes "joe,\n  jane ,bob" as "joe, jane, bob"), alias names, and later
// the address parsers of local delivery and cleanup.
//
// Serialising follows Postfix's observable rules: a comma is written as ", ";
// two neighbouring words (atom, quoted string, comment, domain literal) are
// separated by one space, as is a word followed by '<'; specials
// ( . @ : ; < > and Postfix's operators ! % | ) are written without spaces.
// The external form quotes atoms that need it; the internal form does not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry::address {

struct Token {
    enum class Kind { Atom, Quoted, Comment, DomainLiteral, Special };
    Kind kind;
    std::string text; // Atom/Quoted: unescaped content; Comment/DomainLiteral:
                      // raw text including delimiters; Special: the char
    bool is_word() const { return kind != Kind::Special; }
    bool is_special(char c) const {
        return kind == Kind::Special && text.size() == 1 && text[0] == c;
    }
};

std::vector<Token> tokenize(std::string_view text);

// Quoted form, as in a message header or an alias database value.
std::string externalize(const std::vector<Token> &tokens);
// Unquoted form, as an address is used inside Ferry (alias names, keys).
std::string internalize(const std::vector<Token> &tokens);

} // namespace ferry::address
