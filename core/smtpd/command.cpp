// command.cpp - command line and MAIL/RCPT path parsing.
#include "smtpd/command.h"

#include <cctype>

namespace ferry::smtpd {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(s[i])) !=
            std::toupper(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

bool is_control(char c)
{
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

// Checks the inside of <...> or a bare token; returns false when malformed.
// Quoted strings may hold blanks; backslash escapes one character.
bool valid_mailbox(std::string_view s)
{
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\') {
            if (++i == s.size())
                return false;
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (is_control(c))
            return false;
        if (!quoted && (is_blank(c) || c == '<' || c == '>'))
            return false;
    }
    return !quoted;
}

// Drops "@a,@b:" from "@a,@b:user@domain".
bool strip_source_route(std::string_view &s)
{
    if (s.empty() || s.front() != '@')
        return true;
    auto colon = s.find(':');
    if (colon == std::string_view::npos)
        return false;
    s.remove_prefix(colon + 1);
    return !s.empty();
}

} // namespace

CommandLine split_command(std::string_view line)
{
    line = trim(line);
    std::size_t end = 0;
    while (end < line.size() && !is_blank(line[end]))
        ++end;
    CommandLine cmd;
    cmd.verb.reserve(end);
    for (std::size_t i = 0; i < end; ++i)
        cmd.verb += static_cast<char>(std::toupper(static_cast<unsigned char>(line[i])));
    cmd.args = trim(line.substr(end));
    return cmd;
}

PathArgument parse_path(std::string_view args, std::string_view keyword)
{
    PathArgument out;
    if (!starts_with_nocase(args, keyword))
        return out;
    std::string_view rest = args.substr(keyword.size());
    while (!rest.empty() && is_blank(rest.front()))
        rest.remove_prefix(1);
    if (rest.empty())
        return out;

    std::string_view mailbox;
    if (rest.front() == '<') {
        bool quoted = false;
        std::size_t i = 1;
        for (; i < rest.size(); ++i) {
            char c = rest[i];
            if (c == '\\') {
                ++i;
                continue;
            }
            if (c == '"')
                quoted = !quoted;
            else if (c == '>' && !quoted)
                break;
        }
        if (i >= rest.size()) {
            out.status = PathArgument::Status::bad_address;
            return out;
        }
        mailbox = rest.substr(1, i - 1);
        rest.remove_prefix(i + 1);
        if (!rest.empty() && !is_blank(rest.front())) {
            out.status = PathArgument::Status::bad_address;
            return out;
        }
    } else {
        std::size_t end = 0;
        while (end < rest.size() && !is_blank(rest[end]))
            ++end;
        mailbox = rest.substr(0, end);
        rest.remove_prefix(end);
    }
    if (!strip_source_route(mailbox) || !valid_mailbox(mailbox)) {
        out.status = PathArgument::Status::bad_address;
        return out;
    }
    out.status = PathArgument::Status::ok;
    out.address = std::string(mailbox);
    out.params = trim(rest);
    return out;
}

bool has_non_ascii(std::string_view text)
{
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80)
            return true;
    return false;
}

} // namespace ferry::smtpd
