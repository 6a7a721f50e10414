// Fuzz: main.cf text through the parser and $name expansion of every value
// (with the file's own settings as the lookup, so loops and nesting are
// exercised).  A fatal error is an expected outcome for bad input; it must
// be a clean error, never a crash or a hang.
#include "config/expand.h"
#include "config/main_cf.h"
#include "log/msg.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool once = [] {
        ferry::msg::quiet(true);
        ferry::msg::throw_on_fatal(true);
        return true;
    }();
    (void)once;
    std::string text(reinterpret_cast<const char *>(data), size);
    try {
        auto entries = ferry::config::parse_main_cf(text, "main.cf");
        std::map<std::string, std::string, std::less<>> raw;
        for (const auto &e : entries) raw[e.name] = e.value;
        auto lookup = [&](std::string_view name) -> std::optional<std::string> {
            auto it = raw.find(name);
            if (it == raw.end()) return std::nullopt;
            return it->second;
        };
        for (const auto &e : entries) {
            ferry::config::expand(e.value, lookup);
            ferry::config::referenced_names(e.value, false);
        }
    } catch (const ferry::msg::FatalError &) {
    }
    return 0;
}
