// table_source.cpp - see table_source.h.
#include "maps/table_source.h"

#include "log/msg.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ferry {

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

std::string fold_case(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

TableSource read_table_source(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        TableSource src;
        src.error = std::strerror(errno ? errno : ENOENT);
        return src;
    }
    return read_table_source(in, path);
}

TableSource read_table_source(std::istream &in, const std::string &path) {
    TableSource src;
    std::string raw;
    int number = 0;
    bool open_line = false; // is src.lines.back() still accepting continuations
    while (std::getline(in, raw)) {
        ++number;
        std::string_view body = trim_blanks(raw);
        if (body.empty() || body.front() == '#') continue;
        if (is_blank(raw.front())) {
            if (open_line) {
                src.lines.back().text += raw;
                continue;
            }
            // Postfix names the file but not the line here; so do we.
            std::string shown = raw.substr(0, 30);
            msg::warning(path + ": logical line must not start with "
                                "whitespace: \"" +
                         shown + (raw.size() > 30 ? "..." : "") + "\"");
            continue;
        }
        src.lines.push_back({number, raw});
        open_line = true;
    }
    if (in.bad()) src.error = std::strerror(errno ? errno : EIO);
    return src;
}

std::optional<KeyValue> parse_table_record(const std::string &path, const LogicalLine &line,
                                           std::string_view suffix) {
    const std::string where = path + ", line " + std::to_string(line.line);
    auto kv = split_key_value(line.text);
    if (!kv) {
        msg::warning(where + ": expected format: key whitespace value" + std::string(suffix));
        return std::nullopt;
    }
    if (kv->key.back() == ':')
        msg::warning(where + ": record is in \"key: value\" format; is this an alias file?");
    return kv;
}

std::optional<KeyValue> split_key_value(std::string_view text) {
    text = trim_blanks(text);
    size_t i = 0;
    bool quoted = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"') quoted = !quoted;
        else if (c == '\\' && quoted && i + 1 < text.size()) ++i;
        else if (!quoted && is_blank(c)) break;
    }
    std::string_view value = trim_blanks(text.substr(i));
    if (i == 0 || value.empty()) return std::nullopt;
    return KeyValue{std::string(text.substr(0, i)), std::string(value)};
}

} // namespace ferry
