// map.h - the core's lookup-table contract.
//
// A Map answers a key with one of three results, kept apart in the type:
// Found (with a value), NotFound, or TempFail (with a reason naming the table
// and cause).  Confusing "not found" with "could not look" turns a database
// outage into bounced mail, so callers must handle all three.
//
// Tables are named as in main.cf, "type:name" ("hash:/etc/postfix/access",
// "inline:{a=b}").  open_map() finds the type among the built-in tables and
// the modules listed in the registry (module/registry.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ferry {

enum class LookupStatus { Found, NotFound, TempFail };

struct LookupResult {
    LookupStatus status = LookupStatus::NotFound;
    std::string value;  // when Found
    std::string reason; // when TempFail: "hash:/etc/x: cannot read: ..."

    static LookupResult found(std::string v) {
        return {LookupStatus::Found, std::move(v), {}};
    }
    static LookupResult not_found() { return {}; }
    static LookupResult temp_fail(std::string why) {
        return {LookupStatus::TempFail, {}, std::move(why)};
    }
    bool is_found() const { return status == LookupStatus::Found; }
    bool is_temp_fail() const { return status == LookupStatus::TempFail; }
};

// Open flags; the same bits as FERRY_MAP_* in ferry/plugin.h.
namespace map_flags {
inline constexpr unsigned read = 0x0001u;
inline constexpr unsigned write = 0x0002u;
inline constexpr unsigned create = 0x0004u;
inline constexpr unsigned fold = 0x0008u;
inline constexpr unsigned try0null = 0x0010u;
inline constexpr unsigned try1null = 0x0020u;
inline constexpr unsigned dup_ignore = 0x0040u;
inline constexpr unsigned dup_replace = 0x0080u;
inline constexpr unsigned dup_warn = 0x0100u;
// What a daemon or `postmap -q` uses: read, fold, either NUL convention.
inline constexpr unsigned lookup_default = read | fold | try0null | try1null;
} // namespace map_flags

// Properties; the same bits as FERRY_MAP_PROP_* in ferry/plugin.h.
namespace map_props {
inline constexpr unsigned blocking = 0x0001u;
inline constexpr unsigned pattern = 0x0002u;
inline constexpr unsigned writable = 0x0004u;
inline constexpr unsigned sequence = 0x0008u;
} // namespace map_props

// Result of an operation that may fail with a message.
struct MapError {
    std::string text;
};

class Map {
public:
    Map(std::string type, std::string name, unsigned props)
        : type_(std::move(type)), name_(std::move(name)), props_(props) {}
    virtual ~Map() = default;
    Map(const Map &) = delete;
    Map &operator=(const Map &) = delete;

    virtual LookupResult lookup(std::string_view key) = 0;

    // Optional operations; the defaults report "not supported".
    virtual std::optional<MapError> update(std::string_view key,
                                           std::string_view value);
    // Found when deleted, NotFound when absent, TempFail on error.
    virtual LookupResult remove(std::string_view key);
    // Sequence: first=true restarts.  Found with the key in `reason`-free
    // pair; NotFound at the end.
    struct Entry {
        std::string key;
        std::string value;
    };
    virtual LookupStatus sequence(bool first, Entry &out, std::string &why);
    // Make a table opened for create/write visible and durable.
    virtual std::optional<MapError> commit();

    const std::string &type() const { return type_; }
    const std::string &name() const { return name_; }
    std::string spec() const { return type_ + ":" + name_; }
    unsigned props() const { return props_; }
    bool is_pattern() const { return props_ & map_props::pattern; }
    bool may_block() const { return props_ & map_props::blocking; }

private:
    std::string type_;
    std::string name_;
    unsigned props_;
};

// Either an open table or the reason it could not be opened.
struct OpenedMap {
    std::unique_ptr<Map> map;
    std::string error; // set when map is null
};

} // namespace ferry
