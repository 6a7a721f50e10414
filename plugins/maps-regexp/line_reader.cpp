// line_reader.cpp - Postfix logical lines (see line_reader.h).
#include "line_reader.h"

#include <cctype>

namespace ferry::regexp {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Reads one logical line starting at pos; returns false at end of input.
bool read_one(std::string_view in, size_t &pos, int &lineno, int &first_line,
              std::string &buf) {
    buf.clear();
    for (;;) {
        size_t start = buf.size();
        size_t nl = in.find('\n', pos);
        bool eof = nl == std::string_view::npos;
        size_t end = eof ? in.size() : nl;
        buf.append(in.substr(pos, end - pos));
        pos = eof ? in.size() : nl + 1;
        if (!eof || buf.size() > start)
            ++lineno;
        size_t cp = start;
        while (cp < buf.size() && is_space(buf[cp]))
            ++cp;
        if (cp == buf.size() || buf[cp] == '#')
            buf.resize(start); // comment, blank or whitespace-only line
        else if (start == 0)
            first_line = lineno;
        if (eof)
            break;
        if (!buf.empty()) {
            // A following line that starts with whitespace or '#' may still
            // continue this logical line; anything else starts the next one.
            if (pos >= in.size())
                break;
            char next = in[pos];
            if (next != '#' && !is_space(next))
                break;
        }
    }
    return !buf.empty();
}

} // namespace

std::vector<LogicalLine> read_logical_lines(std::string_view text,
                                            const std::string &path,
                                            const WarnFn &warn) {
    std::vector<LogicalLine> out;
    size_t pos = 0;
    int lineno = 0;
    int first_line = 0;
    std::string buf;
    while (read_one(text, pos, lineno, first_line, buf)) {
        if (is_space(buf[0])) {
            warn(path + ": logical line must not start with whitespace: \"" +
                 buf.substr(0, 30) + (buf.size() > 30 ? "..." : "") + "\"");
            continue;
        }
        // Postfix handles the line as a C string: text after a NUL is lost.
        if (size_t z = buf.find('\0'); z != std::string::npos)
            buf.resize(z);
        size_t e = buf.size();
        while (e > 0 && is_space(buf[e - 1]))
            --e;
        buf.resize(e);
        if (buf.empty())
            continue;
        out.push_back({first_line, buf});
    }
    return out;
}

} // namespace ferry::regexp
