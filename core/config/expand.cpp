// expand.cpp - see expand.h.  A small recursive-descent reader of the macro
// language; the same reader serves expansion and reference scanning so the
// two never disagree about what a value means.
#include "config/expand.h"

#include "log/msg.h"

#include <cctype>
#include <cstdlib>

namespace ferry::config {
namespace {

constexpr int max_nesting = 100;

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct Reader {
    const RawLookup *lookup; // null: scan references only
    std::vector<std::string> *refs;
    bool warn = true;
    bool ok = true;

    void fail(const std::string &text) {
        if (ok && warn) msg::warning(text);
        ok = false;
    }

    // "...before>>>after", Postfix's pointer into a value.
    void fail_at(const std::string &what, std::string_view before, std::string_view after) {
        fail(what + " at: \"..." + std::string(before) + ">>>" + std::string(after) + "\"");
    }

    std::string var(std::string_view name, int level) {
        if (refs) refs->emplace_back(name);
        if (!lookup) return {};
        auto raw = (*lookup)(name);
        if (!raw) return {};
        // Postfix gives up on the call 101 levels down, naming it.
        if (level > max_nesting) {
            msg::warning("unreasonable macro call nesting: \"" + std::string(name) + "\"");
            msg::fatal("macro processing error");
        }
        return run(*raw, level + 1);
    }

    // The ${name?...} / ${name:...} test: as in Postfix, whether the value
    // as written is non-empty, without expanding it ("b = $empty" counts as
    // set, and a value may test itself).  Expanding here recursed without
    // bound on "a = ${a?x}" (found by fuzz_main_cf).
    bool defined(std::string_view name, int) {
        if (refs) refs->emplace_back(name);
        if (!lookup) return true;
        auto raw = (*lookup)(name);
        return raw && !raw->empty();
    }

    // Index just past the '}' that closes the '{' at `open`, or npos.
    static std::size_t close_brace(std::string_view s, std::size_t open, char l, char r) {
        int depth = 0;
        for (std::size_t i = open; i < s.size(); ++i) {
            if (s[i] == l) ++depth;
            else if (s[i] == r && --depth == 0) return i + 1;
        }
        return std::string_view::npos;
    }

    // Reads "{text}" at s[i] (after blanks); returns the inner text.
    std::optional<std::string_view> braced(std::string_view s, std::size_t &i, std::string_view before) {
        while (i < s.size() && space(s[i])) ++i;
        if (i >= s.size() || s[i] != '{') {
            fail_at("\"{\" expected", before, s.substr(i));
            return std::nullopt;
        }
        std::size_t end = close_brace(s, i, '{', '}');
        if (end == std::string_view::npos) {
            fail_at("\"}\" expected", before, s.substr(i));
            return std::nullopt;
        }
        std::string_view inner = s.substr(i + 1, end - i - 2);
        i = end;
        return inner;
    }

    static void skip_space(std::string_view s, std::size_t &i) {
        while (i < s.size() && space(s[i])) ++i;
    }

    // The body of ${...}: a name with an optional condition, or a comparison.
    std::string macro(std::string_view body, int level) {
        if (!body.empty() && body.front() == '{') return comparison(body, level);
        std::size_t n = 0;
        while (n < body.size() && name_char(body[n])) ++n;
        std::string_view name = body.substr(0, n);
        if (n == body.size()) return var(name, level);
        char op = body[n];
        if (n == 0 || (op != '?' && op != ':')) {
            fail_at("attribute name syntax error", name, body.substr(n));
            return {};
        }
        std::string_view rest = body.substr(n + 1);
        std::size_t i = 0;
        skip_space(rest, i);
        if (i >= rest.size() || rest[i] != '{') {
            // Old form: the rest of the body is the value.
            bool def = defined(name, level);
            std::string val = run(rest, level);
            if (!lookup) return {};
            return (op == '?') == def ? val : std::string();
        }
        auto first = braced(rest, i, name);
        if (!first) return {};
        std::optional<std::string_view> second;
        std::string before = std::string(*first) + "}";
        skip_space(rest, i);
        if (i < rest.size()) {
            if (op != '?' || rest[i] != ':') {
                fail_at(op == '?' ? "\":\" expected" : "unexpected input", before, rest.substr(i));
                return {};
            }
            ++i;
            second = braced(rest, i, ":");
            if (!second) return {};
            skip_space(rest, i);
            if (i < rest.size()) {
                fail_at("unexpected input", std::string(*second) + "}", rest.substr(i));
                return {};
            }
        }
        bool def = defined(name, level);
        std::string t = run(*first, level);
        std::string f = second ? run(*second, level) : std::string();
        if (!lookup) return {};
        if (op == ':') return def ? std::string() : t;
        return def ? t : f;
    }

    // ${{a} OP {b} ? {t} : {f}}
    std::string comparison(std::string_view body, int level) {
        std::size_t i = 0;
        auto left = braced(body, i, "");
        if (!left) return {};
        skip_space(body, i);
        static constexpr std::string_view ops[] = {"==", "!=", "<=level", ">=level", "<level",
                                                   ">level", "<=", ">=", "<", ">"};
        std::string_view op;
        for (auto o : ops)
            if (body.substr(i, o.size()) == o) {
                op = o;
                break;
            }
        std::string before = std::string(*left) + "}";
        if (op.empty()) {
            fail_at("\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected", before,
                    body.substr(i));
            return {};
        }
        i += op.size();
        auto right = braced(body, i, op);
        if (!right) return {};
        skip_space(body, i);
        if (i >= body.size() || body[i] != '?') {
            fail_at("\"?\" expected", std::string(*right) + "}", body.substr(i));
            return {};
        }
        ++i;
        auto t = braced(body, i, "?");
        if (!t) return {};
        std::optional<std::string_view> f;
        skip_space(body, i);
        if (i < body.size()) {
            if (body[i] != ':') {
                fail_at("\":\" expected", std::string(*t) + "}", body.substr(i));
                return {};
            }
            ++i;
            f = braced(body, i, ":");
            if (!f) return {};
            skip_space(body, i);
            if (i < body.size()) {
                fail_at("unexpected input", std::string(*f) + "}", body.substr(i));
                return {};
            }
        }
        std::string a = run(*left, level), b = run(*right, level);
        std::string tv = run(*t, level), fv = f ? run(*f, level) : std::string();
        if (!lookup || !ok) return {};
        bool result = compare(a, op, b);
        return result ? tv : fv;
    }

    // Compatibility levels compare part by part ("3.6" < "3.10"); plain
    // operators compare decimal numbers; == and != compare text.
    bool compare(const std::string &a, std::string_view op, const std::string &b) {
        if (op == "==") return a == b;
        if (op == "!=") return a != b;
        int c = 0;
        if (op.ends_with("level")) {
            c = compare_levels(a, b);
            op = op.substr(0, op.size() - 5);
        } else {
            long x = std::strtol(a.c_str(), nullptr, 10), y = std::strtol(b.c_str(), nullptr, 10);
            c = x < y ? -1 : x > y;
        }
        if (op == "<") return c < 0;
        if (op == "<=") return c <= 0;
        if (op == ">") return c > 0;
        return c >= 0;
    }

    // "major.minor.patch", missing parts being 0.
    static int compare_levels(const std::string &a, const std::string &b) {
        char *p = const_cast<char *>(a.c_str()), *q = const_cast<char *>(b.c_str());
        for (int part = 0; part < 3; ++part) {
            long x = std::strtol(p, &p, 10);
            long y = std::strtol(q, &q, 10);
            if (x != y) return x < y ? -1 : 1;
            if (*p == '.') ++p;
            if (*q == '.') ++q;
        }
        return 0;
    }

    // One pass over a value.
    std::string run(std::string_view s, int level) {
        std::string out;
        std::size_t i = 0;
        while (i < s.size() && ok) {
            char c = s[i];
            if (c != '$') {
                out += c;
                ++i;
                continue;
            }
            if (i + 1 < s.size() && s[i + 1] == '$') {
                out += '$';
                i += 2;
                continue;
            }
            if (i + 1 < s.size() && (s[i + 1] == '{' || s[i + 1] == '(')) {
                char l = s[i + 1], r = l == '{' ? '}' : ')';
                std::size_t end = close_brace(s, i + 1, l, r);
                if (end == std::string_view::npos) {
                    fail("truncated macro reference: \"" + std::string(s) + "\"");
                    break;
                }
                std::string_view body = s.substr(i + 2, end - i - 3);
                if (body.empty()) {
                    fail("empty macro name: \"" + std::string(s) + "\"");
                    break;
                }
                out += l == '{' ? macro(body, level) : var(body, level);
                i = end;
                continue;
            }
            std::size_t n = i + 1;
            while (n < s.size() && name_char(s[n])) ++n;
            if (n == i + 1) {
                fail("empty macro name: \"" + std::string(s) + "\"");
                break;
            }
            out += var(s.substr(i + 1, n - i - 1), level);
            i = n;
        }
        return out;
    }
};

} // namespace

bool is_param_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name)
        if (!name_char(c)) return false;
    return true;
}

Expansion expand(std::string_view text, const RawLookup &lookup) {
    Reader r{&lookup, nullptr};
    std::string v = r.run(text, 0);
    return {std::move(v), r.ok};
}

References referenced_names(std::string_view text, bool warn) {
    References refs;
    Reader r{nullptr, &refs.names, warn};
    r.run(text, 0);
    refs.ok = r.ok;
    return refs;
}

} // namespace ferry::config
