// anvil.h - what Postfix's anvil(8) server does for smtpd, inside the
// smtpd process: per-client connection counts and connection, message and
// recipient rates.
//
// Ferry runs one event-driven smtpd process per listener, so the counts
// live in that process; there is no anvil service to ask.  During a reload
// the old and the new generation count separately, for the few seconds
// they overlap.  Rates use Postfix's model: events per client in a window
// of anvil_rate_time_unit that starts at the client's first event.
// Clients in smtpd_client_event_limit_exceptions are never limited.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ferry::smtpd {

struct AnvilLimits {
    unsigned connection_count = 50; // smtpd_client_connection_count_limit
    unsigned connection_rate = 0;   // smtpd_client_connection_rate_limit
    unsigned message_rate = 0;      // smtpd_client_message_rate_limit
    unsigned recipient_rate = 0;    // smtpd_client_recipient_rate_limit
    std::chrono::seconds rate_unit{60};
};

class Anvil {
public:
    using Clock = std::chrono::steady_clock;
    explicit Anvil(AnvilLimits limits) : limits_(limits) {}

    // Each check counts the event and returns 0 when it is allowed, or
    // the count that went over the limit (for the log line).  A refused
    // connection is not counted as open; `by_rate` tells which limit
    // refused it.
    unsigned connect(const std::string &client, bool &by_rate, Clock::time_point now = Clock::now());
    void disconnect(const std::string &client);
    unsigned message(const std::string &client, Clock::time_point now = Clock::now());
    unsigned recipient(const std::string &client, Clock::time_point now = Clock::now());

    std::size_t tracked() const { return clients_.size(); }

private:
    struct Rate {
        Clock::time_point start{};
        unsigned count = 0;
        unsigned add(Clock::time_point now, std::chrono::seconds unit);
    };
    struct Client {
        unsigned open = 0;
        Rate connections, messages, recipients;
        Clock::time_point last{};
    };
    unsigned rate_check(Rate Client::*which, unsigned limit, const std::string &client, Clock::time_point now);
    void sweep(Clock::time_point now);

    AnvilLimits limits_;
    std::unordered_map<std::string, Client> clients_;
    unsigned events_ = 0;
};

} // namespace ferry::smtpd
