// session.cpp - input loop, output queue, error counting and hook resumption.
#include "smtpd/session.h"

#include <cstring>

#include "log/msg.h"
#include "smtpd/reject_log.h"
#include "smtpd/replies.h"

namespace ferry::smtpd {

Session::Session(SessionConfig config, ClientInfo client, Hooks &hooks)
    : cfg_(std::move(config)), client_(std::move(client)), hooks_(hooks),
      reader_(cfg_.forbid_bare_newline)
{
    if (cfg_.banner.empty())
        cfg_.banner = cfg_.myhostname + " ESMTP Postfix";
    if (cfg_.content_chunk_size == 0)
        cfg_.content_chunk_size = 64 * 1024;
    env_.client_name = client_.name;
    env_.client_addr = client_.addr;
    env_.protocol = "SMTP";
}

Session::~Session() { disconnect(); }

Session::Next Session::start(std::string_view early)
{
    // Postfix looks for input before it greets; with
    // smtpd_forbid_unauth_pipelining the 554 replaces the greeting.
    if (!early.empty() && pipelining_violation("CONNECT", early))
        return next_;
    reply(Reply{220, "", cfg_.banner});
    if (!early.empty())
        return receive(early);
    return next_;
}

Session::Next Session::receive(std::string_view bytes)
{
    if (next_ == Next::close || next_ == Next::start_tls)
        return next_; // nothing after QUIT, 421 or STARTTLS is read
    in_.append(bytes);
    if (pending_ != Pending::none)
        return next_; // buffered until the hook answers
    return run();
}

Session::Next Session::resume(Verdict answer)
{
    if (pending_ == Pending::none || answer.kind == Verdict::Kind::pending)
        return next_;
    Pending which = pending_;
    pending_ = Pending::none;
    next_ = Next::read;
    switch (which) {
    case Pending::sender: finish_sender(answer); break;
    case Pending::recipient: finish_recipient(answer); break;
    case Pending::vrfy: finish_vrfy(answer); break;
    case Pending::etrn: finish_etrn(answer); break;
    case Pending::begin_data: finish_begin_data(answer); break;
    case Pending::begin_bdat: finish_begin_bdat(answer); break;
    case Pending::end_message: finish_end_message(answer); break;
    case Pending::none: break;
    }
    if (pending_ != Pending::none || next_ != Next::read)
        return next_;
    return run();
}

Session::Next Session::tls_started()
{
    if (next_ != Next::start_tls)
        return next_;
    tls_active_ = true;
    reset_transaction();
    helo_seen_ = false;
    env_.helo_name.clear();
    env_.protocol = "SMTP";
    in_.clear();
    in_pos_ = 0;
    skip_line_ = false;
    next_ = Next::read;
    return next_;
}

void Session::disconnect()
{
    if (message_open_) {
        message_open_ = false;
        hooks_.abort_message();
    }
    content_.clear();
}

std::string Session::take_output()
{
    std::string out;
    out.swap(out_);
    return out;
}

unsigned Session::take_delay()
{
    unsigned d = delay_;
    delay_ = 0;
    return d;
}

Session::Next Session::run()
{
    while (next_ == Next::read && pending_ == Pending::none) {
        bool progressed = false;
        switch (phase_) {
        case Phase::command: {
            // Postfix checks the limit before it reads the next command.
            if (error_count_ >= cfg_.hard_error_limit) {
                msg::info("too many errors after " + where() + " from " + env_.client_name + "[" +
                          env_.client_addr + "]");
                close_with(replies::too_many_errors(cfg_.myhostname));
                break;
            }
            std::string line;
            progressed = next_line(line);
            if (progressed && next_ == Next::read)
                dispatch(line);
            break;
        }
        case Phase::data: progressed = run_data(); break;
        case Phase::bdat: progressed = run_bdat(); break;
        }
        if (!progressed)
            break;
    }
    // Drop consumed input; what is left is an incomplete line or content.
    if (in_pos_ > 0) {
        in_.erase(0, in_pos_);
        in_pos_ = 0;
    }
    return next_;
}

// Takes one command line from the input.  Lines longer than
// line_length_limit are cut there and the rest is skipped, as Postfix does.
bool Session::next_line(std::string &line)
{
    for (;;) {
        std::string_view avail(in_.data() + in_pos_, in_.size() - in_pos_);
        auto nl = avail.find('\n');
        if (skip_line_) {
            if (nl == std::string_view::npos) {
                in_pos_ = in_.size();
                return false;
            }
            in_pos_ += nl + 1;
            skip_line_ = false;
            continue;
        }
        const std::size_t limit = cfg_.line_length_limit;
        if (nl == std::string_view::npos) {
            if (avail.size() <= limit)
                return false;
            line.assign(avail.substr(0, limit));
            in_pos_ += limit;
            skip_line_ = true;
        } else {
            bool crlf = nl > 0 && avail[nl - 1] == '\r';
            if (!crlf && cfg_.forbid_bare_newline == BareNewline::reject) {
                in_pos_ += nl + 1;
                close_with(replies::bare_lf(cfg_.myhostname));
                return true; // dispatching the empty line is harmless: closed
            }
            std::size_t len = crlf ? nl - 1 : nl;
            line.assign(avail.substr(0, len < limit ? len : limit));
            in_pos_ += nl + 1;
        }
        // A NUL ends the command, as it does for C string parsing.
        auto nul = line.find('\0');
        if (nul != std::string::npos)
            line.resize(nul);
        return true;
    }
}

void Session::count_command(std::string_view verb)
{
    // Postfix's order in the summary; anything else counts as "unknown".
    static const char *const names[] = {"helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data",
                                        "bdat", "rset", "noop", "vrfy", "etrn", "quit", "unknown"};
    if (counts_.empty())
        for (const char *n : names)
            counts_.push_back({n, 0, 0});
    std::string lower;
    for (char c : verb)
        lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    counting_ = static_cast<int>(counts_.size()) - 1;
    for (std::size_t i = 0; i + 1 < counts_.size(); ++i)
        if (lower == counts_[i].name)
            counting_ = static_cast<int>(i);
    ++counts_[static_cast<std::size_t>(counting_)].total;
}

void Session::count_reply(const Reply &r)
{
    // 354 is DATA's go-ahead, not its outcome.
    if (counting_ < 0 || r.code == 354)
        return;
    if (r.code < 400)
        ++counts_[static_cast<std::size_t>(counting_)].ok;
    counting_ = -1;
}

std::string Session::command_stats() const
{
    std::string out;
    unsigned ok = 0, total = 0;
    for (const auto &c : counts_) {
        if (c.total == 0)
            continue;
        ok += c.ok;
        total += c.total;
        out += std::string(out.empty() ? "" : " ") + c.name + "=" + std::to_string(c.ok);
        if (c.ok != c.total)
            out += "/" + std::to_string(c.total);
    }
    // Postfix: "commands=0/0" for a session without any.
    out += std::string(out.empty() ? "" : " ") + "commands=" + std::to_string(ok);
    if (ok != total || total == 0)
        out += "/" + std::to_string(total);
    return out;
}

void Session::reply(const Reply &r)
{
    count_reply(r);
    out_ += r.format();
    if (r.code >= 400) {
        ++error_count_;
        if (error_count_ >= cfg_.soft_error_limit)
            delay_ += cfg_.error_sleep_seconds;
    }
}

void Session::reply_not_an_error(const Reply &r)
{
    if (counting_ >= 0)
        ++counts_[static_cast<std::size_t>(counting_)].ok;
    counting_ = -1;
    out_ += r.format();
}

std::string Session::where() const
{
    if (phase_ == Phase::data || phase_ == Phase::bdat)
        return where_ + " (" + std::to_string(message_bytes_) + " bytes)";
    return where_;
}

void Session::close_with(const Reply &r)
{
    count_reply(r);
    out_ += r.format();
    next_ = Next::close;
    disconnect();
}

void Session::reset_transaction()
{
    if (message_open_) {
        message_open_ = false;
        hooks_.abort_message();
    }
    in_mail_ = false;
    std::string client_name = env_.client_name, client_addr = env_.client_addr;
    std::string helo = env_.helo_name, proto = env_.protocol;
    env_ = Envelope{};
    env_.client_name = std::move(client_name);
    env_.client_addr = std::move(client_addr);
    env_.helo_name = std::move(helo);
    env_.protocol = std::move(proto);
    content_.clear();
    message_bytes_ = 0;
    rcpt_overshoot_ = 0;
    size_exceeded_ = false;
    bdat_active_ = false;
    bdat_failed_ = false;
    bdat_discard_ = false;
    bdat_last_ = false;
    bdat_remaining_ = 0;
    bdat_chunk_size_ = 0;
    bdat_ends_in_lf_ = false;
}

void Session::log_reject(std::string_view stage, const Reply &r, const std::string *recipient)
{
    RejectEvent ev;
    ev.stage = stage;
    ev.envelope = &env_;
    if (in_mail_ || stage == "MAIL")
        ev.sender = stage == "MAIL" ? &pending_env_.sender : &env_.sender;
    ev.recipient = recipient;
    ::ferry::smtpd::log_reject(ev, r);
}

} // namespace ferry::smtpd
