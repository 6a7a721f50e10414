// esmtp_params.cpp - MAIL and RCPT parameter parsing.
#include "smtpd/esmtp_params.h"

#include <cctype>
#include <limits>

#include "smtpd/replies.h"

namespace ferry::smtpd {

namespace {

// RFC 3461 limits on the decoded lengths of ENVID and ORCPT.
constexpr std::size_t envid_max = 100;
constexpr std::size_t orcpt_max = 500;

struct Param {
    std::string name; // upper-cased
    std::string_view value;
    bool has_value = false;
    std::string_view word; // the whole word, for error replies
};

// Calls fn(param) for each blank-separated word; stops at the first reply.
template <typename Fn>
std::optional<Reply> for_each_param(std::string_view params, Fn fn)
{
    while (!params.empty()) {
        while (!params.empty() && (params.front() == ' ' || params.front() == '\t'))
            params.remove_prefix(1);
        std::size_t end = 0;
        while (end < params.size() && params[end] != ' ' && params[end] != '\t')
            ++end;
        if (end == 0)
            break;
        Param p;
        p.word = params.substr(0, end);
        auto eq = p.word.find('=');
        std::string_view name = p.word.substr(0, eq);
        for (char c : name)
            p.name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (eq != std::string_view::npos) {
            p.has_value = true;
            p.value = p.word.substr(eq + 1);
        }
        if (auto reply = fn(p))
            return reply;
        params.remove_prefix(end);
    }
    return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<std::uint64_t> parse_size(std::string_view s)
{
    if (s.empty())
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            return std::nullopt;
        n = n * 10 + digit;
    }
    return n;
}

std::optional<unsigned> parse_notify(std::string_view s)
{
    unsigned flags = notify_none;
    while (true) {
        auto comma = s.find(',');
        std::string_view word = s.substr(0, comma);
        unsigned bit = 0;
        if (iequals(word, "NEVER"))
            bit = notify_never;
        else if (iequals(word, "SUCCESS"))
            bit = notify_success;
        else if (iequals(word, "FAILURE"))
            bit = notify_failure;
        else if (iequals(word, "DELAY"))
            bit = notify_delay;
        else
            return std::nullopt;
        flags |= bit;
        if (comma == std::string_view::npos)
            break;
        s.remove_prefix(comma + 1);
    }
    // NEVER stands alone (RFC 3461 section 4.1).
    if ((flags & notify_never) && flags != notify_never)
        return std::nullopt;
    return flags;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

std::optional<std::string> xtext_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '+') {
            if (i + 2 >= text.size())
                return std::nullopt;
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c < 33 || c > 126 || c == '=') {
            return std::nullopt;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::optional<Reply> parse_mail_params(std::string_view params, std::uint64_t size_limit,
                                       Envelope &env)
{
    bool seen_ret = false, seen_envid = false;
    auto reply = for_each_param(params, [&](const Param &p) -> std::optional<Reply> {
        if (p.name == "SIZE" && p.has_value) {
            auto n = parse_size(p.value);
            if (!n)
                return replies::bad_size();
            env.size = *n;
        } else if (p.name == "BODY" && p.has_value && iequals(p.value, "8BITMIME")) {
            env.body = Body::eight_bit_mime;
        } else if (p.name == "BODY" && p.has_value && iequals(p.value, "7BIT")) {
            env.body = Body::seven_bit;
        } else if (p.name == "RET" && p.has_value) {
            if (seen_ret)
                return replies::bad_ret();
            seen_ret = true;
            if (iequals(p.value, "FULL"))
                env.ret = Ret::full;
            else if (iequals(p.value, "HDRS"))
                env.ret = Ret::hdrs;
            else
                return replies::bad_ret();
        } else if (p.name == "ENVID" && p.has_value) {
            if (seen_envid)
                return replies::bad_envid();
            seen_envid = true;
            auto decoded = xtext_decode(p.value);
            if (!decoded || decoded->empty() || decoded->size() > envid_max)
                return replies::bad_envid();
            env.envid = std::move(*decoded);
        } else if (p.name == "SMTPUTF8" && !p.has_value) {
            env.smtputf8 = true;
        } else if (p.name == "AUTH" && p.has_value) {
            // Accepted and ignored, as Postfix does without SASL.
        } else {
            return replies::unsupported_option(p.word);
        }
        return std::nullopt;
    });
    if (reply)
        return reply;
    if (size_limit > 0 && env.size && *env.size > size_limit)
        return replies::size_exceeded();
    return std::nullopt;
}

std::optional<Reply> parse_rcpt_params(std::string_view params, Recipient &rcpt)
{
    bool seen_notify = false, seen_orcpt = false;
    return for_each_param(params, [&](const Param &p) -> std::optional<Reply> {
        if (p.name == "NOTIFY" && p.has_value) {
            auto flags = parse_notify(p.value);
            if (seen_notify || !flags)
                return replies::bad_notify();
            seen_notify = true;
            rcpt.notify = *flags;
        } else if (p.name == "ORCPT" && p.has_value) {
            auto semi = p.value.find(';');
            if (seen_orcpt || semi == 0 || semi == std::string_view::npos)
                return replies::bad_orcpt();
            seen_orcpt = true;
            std::string_view type = p.value.substr(0, semi);
            for (char c : type)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
                    return replies::bad_orcpt();
            auto decoded = xtext_decode(p.value.substr(semi + 1));
            if (!decoded || decoded->empty() || decoded->size() > orcpt_max)
                return replies::bad_orcpt();
            rcpt.orcpt = std::string(type) + ";" + *decoded;
        } else {
            return replies::unsupported_option(p.word);
        }
        return std::nullopt;
    });
}

} // namespace ferry::smtpd
