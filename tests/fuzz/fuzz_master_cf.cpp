// Fuzz: master.cf text through the parser.  A fatal error is an expected
// outcome for bad input; it must be a clean error, never a crash.
#include "config/master_cf.h"
#include "log/msg.h"

#include <cstdint>
#include <cstdio>
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
        auto services = ferry::config::parse_master_cf(text, "master.cf");
        for (const auto &s : services) (void)s.name();
    } catch (const ferry::msg::FatalError &) {
    }
    return 0;
}
