// content.h - the message-content half of cleanup(8) on the receive path.
//
// Content takes the message as smtpd passes it (dot-unstuffed, in chunks
// that may split lines anywhere, even between CR and LF) and streams what is
// to be queued into a sink: smtpd's Received: header first, then the
// headers with Bcc: removed, over-long headers truncated and missing
// Message-Id:/Date:/From:/To: added, then the body untouched.  Only the
// header being read is held in memory (at most header_size_limit bytes);
// body bytes go to the sink as they come.
//
// It does no I/O and never logs itself: log lines are returned for the
// caller to hand to msg::info/msg::warning, and the verdict (accept, or a
// reply with code and enhanced status) is known once finish() is called.
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::cleanup {

struct ContentOptions {
    std::string queue_id;
    std::string myhostname;
    std::time_t arrival = 0;
    // Envelope sender as it appears in logs, without <>; empty is the null
    // sender, shown as MAILER-DAEMON in an added From: header.
    std::string sender;
    // The Received: header from received_header(); written first and
    // counted as a hop like any other.
    std::string received;

    long hopcount_limit = 50;
    long header_size_limit = 102400;
    long message_size_limit = 10240000; // 0: no limit
    // Bytes already charged against message_size_limit before the content
    // (Postfix counts the whole queue file, envelope records included).
    long size_offset = 0;

    // The client matched local_header_rewrite_clients.
    bool rewrite_allowed = false;
    bool always_add_missing_headers = false;
    // "To: undisclosed-recipients:;" or empty (Postfix 3.7's default).
    std::string undisclosed_recipients_header;
};

// A finished message's verdict.  code == 0: accepted.
struct Outcome {
    int code = 0;
    std::string dsn;  // "5.4.6"
    std::string text; // "Error: too many hops"
    bool ok() const { return code == 0; }
    std::string reply() const; // "554 5.4.6 Error: too many hops"
};

struct LogLine {
    bool warning = false; // msg::warning, else msg::info
    std::string text;     // "ABC123: message-id=<...>"
};

class Content {
public:
    using Sink = std::function<void(std::string_view)>;

    Content(ContentOptions options, Sink sink);

    // More of the message; any size, any split.  Ignored once rejected.
    void write(std::string_view chunk);
    // The end of the content: flushes what is pending and gives the verdict.
    Outcome finish();

    // True as soon as the message is known to be refused: the caller may
    // stop passing content (it still calls finish() for the verdict).
    bool rejected() const { return outcome_.code != 0; }
    // Log lines so far, in order.
    const std::vector<LogLine> &log_lines() const { return log_; }
    // Bytes given to the sink (without size_offset).
    long written() const { return written_; }

private:
    enum class Phase { headers, body, done };
    enum class Line { unknown, header, continuation, body };

    void header_byte(char c);
    void content_byte(char c);
    void start_line(char c);
    void classify(char c);
    void end_line(std::string_view terminator);
    void become_body_line();
    void flush_header();
    void end_of_headers(bool separator);
    void emit(std::string_view bytes);
    void reject(int code, std::string_view dsn, std::string_view text, std::string_view log);
    void log_info(std::string text);

    ContentOptions opt_;
    Sink sink_;
    Phase phase_ = Phase::headers;
    Outcome outcome_;
    std::vector<LogLine> log_;
    long written_ = 0;

    // The line being read in the header section.
    Line line_kind_ = Line::unknown;
    std::string line_;        // undecided line: its bytes so far
    bool at_line_start_ = true;
    bool pending_cr_ = false; // a CR seen; LF next would end the line
    int name_state_ = 0;      // classify(): 0 name, 1 blanks after name
    bool line_dropped_ = false;

    // The header being assembled (first line and continuations).
    bool have_header_ = false;
    std::string header_;      // bytes as they will be written
    long header_size_ = 0;    // Postfix's measure: lines joined by one newline
    bool header_full_ = false;

    long received_ = 0;
    bool seen_message_id_ = false, seen_date_ = false, seen_from_ = false, seen_to_cc_ = false;
    bool resent_ = false, seen_resent_message_id_ = false, seen_resent_date_ = false,
         seen_resent_from_ = false;
};

} // namespace ferry::cleanup
