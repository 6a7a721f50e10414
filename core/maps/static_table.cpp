// static_table.cpp - static:value, a table that finds every key and always
// answers with the same value.  As in Postfix 3.7, "static:{ text }" gives
// the text between the braces with surrounding blanks removed, so a value
// may contain whitespace in contexts that split on it.
#include "maps/builtin.h"
#include "maps/table_source.h"

namespace ferry {
namespace {

class StaticTable : public Map {
public:
    StaticTable(std::string name, std::string value)
        : Map("static", std::move(name), 0), value_(std::move(value)) {}
    LookupResult lookup(std::string_view) override {
        return LookupResult::found(value_);
    }

private:
    std::string value_;
};

} // namespace

OpenedMap open_static_table(std::string_view name, unsigned) {
    std::string value(name);
    if (!name.empty() && name.front() == '{') {
        size_t close = name.rfind('}');
        if (close == std::string_view::npos)
            return {nullptr, "bad static:name syntax: missing '}' in \"" +
                                 std::string(name) + "\""};
        if (close + 1 != name.size())
            return {nullptr,
                    "bad static:name syntax: syntax error after '}' in \"" +
                        std::string(name) + "\""};
        value = std::string(trim_blanks(name.substr(1, close - 1)));
    }
    return {std::make_unique<StaticTable>(std::string(name), std::move(value)),
            {}};
}

} // namespace ferry
