// channel.cpp - see channel.h.
#include "qmgr/channel.h"

#include <charconv>

namespace ferry::qmgr {
namespace {

template <typename T>
bool number(std::string_view s, T &out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

} // namespace

std::string one_line(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}

const char *outcome_name(Outcome o) {
    switch (o) {
    case Outcome::sent: return "sent";
    case Outcome::deferred: return "deferred";
    case Outcome::bounced: return "bounced";
    }
    return "deferred";
}

Outcome worse(Outcome a, Outcome b) {
    auto rank = [](Outcome o) { return o == Outcome::deferred ? 2 : o == Outcome::bounced ? 1 : 0; };
    return rank(a) >= rank(b) ? a : b;
}

std::string encode_ask(const DeliveryAsk &ask) {
    std::string out = "queue_id=" + one_line(ask.queue_id) + "\n";
    out += "active_us=" + std::to_string(ask.active_us) + "\n";
    for (size_t i : ask.recipients) out += "rcpt=" + std::to_string(i) + "\n";
    return out;
}

std::optional<DeliveryAsk> decode_ask(std::string_view text) {
    DeliveryAsk ask;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        if (nl == std::string_view::npos) return std::nullopt; // cut short
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        size_t eq = line.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "queue_id") ask.queue_id = std::string(value);
        else if (key == "active_us") {
            if (!number(value, ask.active_us)) return std::nullopt;
        } else if (key == "rcpt") {
            size_t i = 0;
            if (!number(value, i)) return std::nullopt;
            ask.recipients.push_back(i);
        } else {
            return std::nullopt;
        }
    }
    // A queue id names a file: nothing that could leave the queue directory.
    if (ask.queue_id.empty() || ask.queue_id.find('/') != std::string::npos || ask.queue_id[0] == '.')
        return std::nullopt;
    return ask;
}

std::string encode_answer(const DeliveryAnswer &a) {
    return std::to_string(a.index) + " " + outcome_name(a.outcome) + " " + one_line(a.dsn) + " " +
           one_line(a.text) + "\n";
}

std::optional<DeliveryAnswer> decode_answer(std::string_view line) {
    DeliveryAnswer a;
    size_t s1 = line.find(' ');
    if (s1 == std::string_view::npos || !number(line.substr(0, s1), a.index)) return std::nullopt;
    size_t s2 = line.find(' ', s1 + 1);
    if (s2 == std::string_view::npos) return std::nullopt;
    std::string_view status = line.substr(s1 + 1, s2 - s1 - 1);
    if (status == "sent") a.outcome = Outcome::sent;
    else if (status == "deferred") a.outcome = Outcome::deferred;
    else if (status == "bounced") a.outcome = Outcome::bounced;
    else return std::nullopt;
    size_t s3 = line.find(' ', s2 + 1);
    a.dsn = std::string(line.substr(s2 + 1, s3 == std::string_view::npos ? std::string_view::npos : s3 - s2 - 1));
    if (a.dsn.size() < 5 || a.dsn[1] != '.') return std::nullopt;
    // The class digit must agree with the outcome: a "sent" that carries
    // 4.x.x is malformed, not a delivery.
    char want = a.outcome == Outcome::sent ? '2' : a.outcome == Outcome::deferred ? '4' : '5';
    if (a.dsn[0] != want) return std::nullopt;
    if (s3 != std::string_view::npos) a.text = std::string(line.substr(s3 + 1));
    return a;
}

} // namespace ferry::qmgr
