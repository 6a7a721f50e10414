// reply.cpp - wire and log formats of a Reply.
#include "smtpd/reply.h"

namespace ferry::smtpd {

namespace {

void append_line(std::string &out, int code, char sep, const std::string &enhanced,
                 std::string_view line)
{
    out += std::to_string(code);
    out += sep;
    if (!enhanced.empty()) {
        out += enhanced;
        out += ' ';
    }
    out += line;
    out += "\r\n";
}

} // namespace

std::string Reply::format() const
{
    std::string out;
    std::string_view rest = text;
    for (;;) {
        auto nl = rest.find('\n');
        if (nl == std::string_view::npos) {
            append_line(out, code, ' ', enhanced, rest);
            return out;
        }
        append_line(out, code, '-', enhanced, rest.substr(0, nl));
        rest.remove_prefix(nl + 1);
    }
}

std::string Reply::summary() const
{
    std::string out = std::to_string(code);
    out += ' ';
    if (!enhanced.empty()) {
        out += enhanced;
        out += ' ';
    }
    out += text.substr(0, text.find('\n'));
    return out;
}

} // namespace ferry::smtpd
