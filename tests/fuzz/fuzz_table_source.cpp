// Fuzz: table source files (postmap's logical lines and key/value split) and
// alias lines (RFC 822 tokens), on arbitrary bytes.
#include "address/rfc822_tokens.h"
#include "log/msg.h"
#include "maps/table_source.h"

#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool quiet = [] {
        ferry::msg::quiet(true);
        return true;
    }();
    (void)quiet;
    std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
    for (const auto &l : ferry::read_table_source(in, "fuzz").lines) {
        ferry::parse_table_record("fuzz", l);
        const std::string &line = l.text;
        auto tokens = ferry::address::tokenize(line);
        auto ext = ferry::address::externalize(tokens);
        // Re-serialising the external form must be stable.
        auto again = ferry::address::externalize(ferry::address::tokenize(ext));
        (void)again;
        ferry::address::internalize(tokens);
    }
    return 0;
}
