// anvil.cpp - see anvil.h.
#include "smtpd/anvil.h"

namespace ferry::smtpd {

unsigned Anvil::Rate::add(Clock::time_point now, std::chrono::seconds unit) {
    if (count == 0 || now - start >= unit) {
        start = now;
        count = 0;
    }
    return ++count;
}

unsigned Anvil::connect(const std::string &client, bool &by_rate, Clock::time_point now) {
    sweep(now);
    Client &c = clients_[client];
    c.last = now;
    by_rate = false;
    if (limits_.connection_rate > 0) {
        unsigned n = c.connections.add(now, limits_.rate_unit);
        if (n > limits_.connection_rate) {
            by_rate = true;
            return n;
        }
    }
    if (limits_.connection_count > 0 && c.open + 1 > limits_.connection_count) return c.open + 1;
    ++c.open;
    return 0;
}

void Anvil::disconnect(const std::string &client) {
    auto it = clients_.find(client);
    if (it != clients_.end() && it->second.open > 0) --it->second.open;
}

unsigned Anvil::rate_check(Rate Client::*which, unsigned limit, const std::string &client, Clock::time_point now) {
    if (limit == 0) return 0;
    Client &c = clients_[client];
    c.last = now;
    unsigned n = (c.*which).add(now, limits_.rate_unit);
    return n > limit ? n : 0;
}

unsigned Anvil::message(const std::string &client, Clock::time_point now) {
    return rate_check(&Client::messages, limits_.message_rate, client, now);
}

unsigned Anvil::recipient(const std::string &client, Clock::time_point now) {
    return rate_check(&Client::recipients, limits_.recipient_rate, client, now);
}

// Forget clients with no open connection whose last event is older than a
// rate window, so memory follows the clients of the last minute only.
void Anvil::sweep(Clock::time_point now) {
    if (++events_ % 1024 != 0) return;
    for (auto it = clients_.begin(); it != clients_.end();) {
        if (it->second.open == 0 && now - it->second.last >= limits_.rate_unit) it = clients_.erase(it);
        else ++it;
    }
}

} // namespace ferry::smtpd
