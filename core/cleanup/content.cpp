// content.cpp - see content.h.
//
// The header section is read a byte at a time (it is small and bounded);
// once it ends, the rest of every chunk goes to the sink as it is.  Line
// ends are CRLF or a bare LF, as smtpd accepts both; they are passed on as
// received.
#include "cleanup/content.h"

#include "cleanup/received.h"

#include <algorithm>
#include <cctype>

namespace ferry::cleanup {

namespace {

// What clients and administrators see, as Postfix 3.7 words it; only the
// hop count's enhanced code differs: RFC 3463's X.4.6 "routing loop
// detected" (what the issue asks for, and Sendmail's), where Postfix says
// 5.4.0.
constexpr int hops_code = 554;
constexpr std::string_view hops_dsn = "5.4.6";
constexpr std::string_view hops_text = "Error: too many hops";
constexpr std::string_view hops_log = "message rejected: hopcount exceeded";
constexpr int size_code = 552;
constexpr std::string_view size_dsn = "5.3.4";
constexpr std::string_view size_text = "Error: message file too big";
constexpr std::string_view size_log = "queue file size limit exceeded";

// Headers whose presence turns "add missing headers" into adding the
// Resent- variants.
bool is_resent_name(std::string_view n)
{
    static constexpr std::string_view names[] = {
        "resent-bcc",        "resent-cc",       "resent-date", "resent-from",
        "resent-message-id", "resent-reply-to", "resent-sender", "resent-to"};
    return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

} // namespace

std::string Outcome::reply() const
{
    return std::to_string(code) + " " + dsn + " " + text;
}

Content::Content(ContentOptions options, Sink sink) : opt_(std::move(options)), sink_(std::move(sink))
{
    if (!opt_.received.empty()) {
        emit(opt_.received);
        if (++received_ >= opt_.hopcount_limit)
            reject(hops_code, hops_dsn, hops_text, hops_log);
    }
}

void Content::write(std::string_view chunk)
{
    std::size_t i = 0;
    while (i < chunk.size() && phase_ == Phase::headers)
        header_byte(chunk[i++]);
    if (phase_ == Phase::body && i < chunk.size())
        emit(chunk.substr(i));
}

Outcome Content::finish()
{
    if (phase_ == Phase::headers && pending_cr_) {
        pending_cr_ = false;
        content_byte('\r');
    }
    if (phase_ == Phase::headers && !at_line_start_) {
        if (line_kind_ == Line::unknown) {
            become_body_line();
        } else if (!line_dropped_) {
            header_ += "\r\n"; // the last header had no line end of its own
        }
    }
    if (phase_ == Phase::headers)
        end_of_headers(false);
    phase_ = Phase::done;
    return outcome_;
}

void Content::header_byte(char c)
{
    if (pending_cr_) {
        pending_cr_ = false;
        if (c == '\n') {
            end_line("\r\n");
            return;
        }
        content_byte('\r'); // a CR on its own is part of the line
        if (phase_ != Phase::headers) {
            emit(std::string_view(&c, 1));
            return;
        }
    }
    if (c == '\r')
        pending_cr_ = true;
    else if (c == '\n')
        end_line("\n");
    else
        content_byte(c);
}

void Content::content_byte(char c)
{
    if (at_line_start_) {
        at_line_start_ = false;
        start_line(c);
        if (phase_ != Phase::headers)
            return;
    }
    if (line_kind_ == Line::unknown) {
        line_ += c;
        classify(c);
    } else if (!line_dropped_) {
        if (header_size_ + 1 > opt_.header_size_limit) {
            header_full_ = true;
        } else {
            header_ += c;
            ++header_size_;
        }
    }
}

void Content::start_line(char c)
{
    line_dropped_ = false;
    if (have_header_ && is_blank(c)) {
        line_kind_ = Line::continuation;
        // Postfix measures a folded header as its lines joined by one newline.
        if (header_full_ || header_size_ + 1 > opt_.header_size_limit) {
            header_full_ = true;
            line_dropped_ = true;
        } else {
            ++header_size_;
        }
        return;
    }
    flush_header();
    line_kind_ = Line::unknown;
    name_state_ = 0;
}

// Decides, as early as one byte allows, whether the line starts a header
// ("name:", the name printable ASCII, blanks allowed before the colon) or
// ends the header section.
void Content::classify(char c)
{
    auto u = static_cast<unsigned char>(c);
    bool header = false, body = false;
    if (name_state_ == 0) {
        if (c == ':')
            (line_.size() > 1 ? header : body) = true;
        else if (is_blank(c) && line_.size() > 1)
            name_state_ = 1;
        else if (u < 0x21 || u > 0x7e)
            body = true;
    } else {
        if (c == ':')
            header = true;
        else if (!is_blank(c))
            body = true;
    }
    if (!header && !body && static_cast<long>(line_.size()) > opt_.header_size_limit)
        body = true;
    if (body) {
        become_body_line();
    } else if (header) {
        have_header_ = true;
        line_kind_ = Line::header;
        header_.swap(line_);
        line_.clear();
        header_full_ = false;
        header_size_ = static_cast<long>(header_.size());
        if (header_size_ > opt_.header_size_limit) {
            header_.resize(static_cast<std::size_t>(opt_.header_size_limit));
            header_size_ = opt_.header_size_limit;
            header_full_ = true;
        }
    }
}

void Content::end_line(std::string_view terminator)
{
    if (at_line_start_) { // the empty line that separates headers and body
        end_of_headers(false);
        emit(terminator);
        if (phase_ == Phase::headers)
            phase_ = Phase::body;
        return;
    }
    at_line_start_ = true;
    if (line_kind_ == Line::unknown) {
        become_body_line();
        emit(terminator);
    } else if (!line_dropped_) {
        header_ += terminator;
    }
}

// A line that is not a header ends the header section; Postfix then puts
// an empty line before it so that it reads as body.
void Content::become_body_line()
{
    std::string line;
    line.swap(line_);
    line_kind_ = Line::body;
    end_of_headers(true);
    emit(line);
    if (phase_ == Phase::headers)
        phase_ = Phase::body;
}

void Content::flush_header()
{
    if (!have_header_)
        return;
    have_header_ = false;
    std::string text;
    text.swap(header_);
    header_size_ = 0;
    header_full_ = false;

    std::string_view view = text;
    std::size_t colon = view.find(':');
    std::string name(view.substr(0, colon));
    while (!name.empty() && is_blank(name.back()))
        name.pop_back();
    for (char &ch : name)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = view.substr(colon + 1);
    while (!value.empty() && (is_blank(value.front()) || value.front() == '\r' || value.front() == '\n'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
        value.remove_suffix(1);

    if (name == "received") {
        if (++received_ >= opt_.hopcount_limit) {
            reject(hops_code, hops_dsn, hops_text, hops_log);
            return;
        }
    } else if (name == "bcc") {
        return; // Postfix drops Bcc: from mail received over SMTP
    } else if (name == "message-id") {
        seen_message_id_ = true;
        log_info("message-id=" + std::string(value));
    } else if (name == "date") {
        seen_date_ = true;
    } else if (name == "from") {
        seen_from_ = true;
    } else if (name == "to" || name == "cc") {
        seen_to_cc_ = true;
    }
    if (is_resent_name(name)) {
        resent_ = true;
        if (name == "resent-message-id") {
            seen_resent_message_id_ = true;
            log_info("resent-message-id=" + std::string(value));
        }
        seen_resent_date_ = seen_resent_date_ || name == "resent-date";
        seen_resent_from_ = seen_resent_from_ || name == "resent-from";
    }
    emit(text);
}

void Content::end_of_headers(bool separator)
{
    flush_header();
    if (phase_ != Phase::headers)
        return;
    if (opt_.rewrite_allowed || opt_.always_add_missing_headers) {
        const std::string prefix = resent_ ? "Resent-" : "";
        bool &id_seen = resent_ ? seen_resent_message_id_ : seen_message_id_;
        if (!id_seen) {
            std::tm utc{};
            gmtime_r(&opt_.arrival, &utc);
            char stamp[32];
            std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);
            std::string id = "<" + std::string(stamp) + "." + opt_.queue_id + "@" + opt_.myhostname + ">";
            emit(prefix + "Message-Id: " + id + "\r\n");
            log_info(std::string(resent_ ? "resent-" : "") + "message-id=" + id);
            id_seen = true;
        }
        if (!(resent_ ? seen_resent_date_ : seen_date_))
            emit(prefix + "Date: " + rfc5322_date(opt_.arrival) + "\r\n");
        if (!(resent_ ? seen_resent_from_ : seen_from_))
            emit(prefix + "From: " + (opt_.sender.empty() ? std::string("MAILER-DAEMON") : opt_.sender) +
                 "\r\n");
        if (!seen_to_cc_ && !opt_.undisclosed_recipients_header.empty())
            emit(opt_.undisclosed_recipients_header + "\r\n");
    }
    if (!seen_message_id_)
        log_info("message-id=<>");
    if (separator)
        emit("\r\n");
}

void Content::emit(std::string_view bytes)
{
    if (phase_ == Phase::done || bytes.empty())
        return;
    long n = static_cast<long>(bytes.size());
    if (opt_.message_size_limit > 0 && opt_.size_offset + written_ + n > opt_.message_size_limit) {
        reject(size_code, size_dsn, size_text, size_log);
        return;
    }
    written_ += n;
    sink_(bytes);
}

void Content::reject(int code, std::string_view dsn, std::string_view text, std::string_view log)
{
    if (outcome_.code == 0) {
        outcome_.code = code;
        outcome_.dsn = dsn;
        outcome_.text = text;
        log_.push_back({true, opt_.queue_id + ": " + std::string(log)});
    }
    phase_ = Phase::done;
    header_.clear();
    line_.clear();
    have_header_ = false;
}

void Content::log_info(std::string text)
{
    log_.push_back({false, opt_.queue_id + ": " + text});
}

} // namespace ferry::cleanup
