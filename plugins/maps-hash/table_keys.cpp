// table_keys.cpp - Postfix's C-string spelling of .db keys and values.
#include "table_keys.h"

#include <cstring>

namespace ferry::maps_hash {

std::string_view c_string(const char *data, std::size_t len) {
    if (data == nullptr)
        return {};
    return {data, ::strnlen(data, len)};
}

std::string fold_ascii(std::string_view key) {
    std::string out(key);
    for (char &ch : out)
        if (ch >= 'A' && ch <= 'Z')
            ch = static_cast<char>(ch - 'A' + 'a');
    return out;
}

std::string stored_form(std::string_view text, bool with_nul) {
    std::string out(text);
    if (with_nul)
        out.push_back('\0');
    return out;
}

void put_error(char *err, std::size_t errlen, std::string_view text) {
    if (err == nullptr || errlen == 0)
        return;
    std::size_t n = text.size() < errlen - 1 ? text.size() : errlen - 1;
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

} // namespace ferry::maps_hash
