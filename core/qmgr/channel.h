// channel.h - what the queue manager and a delivery agent (local) say to
// each other over the connection qmgr opens to the master's private/local
// socket (the agent the master starts for it has it as fd 3).
//
// qmgr -> agent, one request, then qmgr shuts its side for writing:
//     queue_id=ID            the file active/ID
//     active_us=N            when qmgr moved it to active (for delays=)
//     rcpt=INDEX             one line per recipient to deliver (envelope order)
// agent -> qmgr, one line per recipient as soon as it is final:
//     INDEX STATUS DSN TEXT  STATUS is sent, deferred or bounced
// A recipient the agent never answered (it crashed, was killed, or wrote
// garbage) is deferred by qmgr: never "delivered" without an answer.  Each
// answer is written as soon as it is known, so a crash after some
// deliveries does not repeat them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::qmgr {

// s with each CR and LF made a space: a value of a line-based record.
std::string one_line(std::string_view s);

struct DeliveryAsk {
    std::string queue_id;
    std::uint64_t active_us = 0;
    std::vector<size_t> recipients;
};

enum class Outcome { sent, deferred, bounced };

struct DeliveryAnswer {
    size_t index = 0;
    Outcome outcome = Outcome::deferred;
    std::string dsn;  // "2.0.0", "4.3.0", "5.1.1"
    std::string text; // one line
};

std::string encode_ask(const DeliveryAsk &ask);
// nullopt when the text is not a complete, well-formed request.
std::optional<DeliveryAsk> decode_ask(std::string_view text);

std::string encode_answer(const DeliveryAnswer &answer); // ends in "\n"
// One line without its "\n"; nullopt when malformed.
std::optional<DeliveryAnswer> decode_answer(std::string_view line);

const char *outcome_name(Outcome o); // "sent", "deferred", "bounced"

// The worst of two outcomes for one recipient with several targets (an
// alias): deferred beats bounced beats sent.
Outcome worse(Outcome a, Outcome b);

} // namespace ferry::qmgr
