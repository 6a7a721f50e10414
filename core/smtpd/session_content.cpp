// session_content.cpp - DATA and BDAT: starting a message, streaming its
// content to the hooks, the size limit, and the end-of-message reply.
#include <algorithm>

#include "smtpd/replies.h"
#include "smtpd/session.h"

namespace ferry::smtpd {

namespace {

// "count" or "count LAST"; nothing else.
bool parse_bdat(std::string_view args, std::uint64_t &count, bool &last)
{
    auto blank = args.find_first_of(" \t");
    std::string_view num = args.substr(0, blank);
    std::string_view rest = blank == std::string_view::npos ? std::string_view() : args.substr(blank);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
        rest.remove_prefix(1);
    if (num.empty() || num.size() > 19)
        return false;
    count = 0;
    for (char c : num) {
        if (c < '0' || c > '9')
            return false;
        count = count * 10 + static_cast<std::uint64_t>(c - '0');
    }
    last = false;
    if (rest.empty())
        return true;
    if (rest.size() != 4)
        return false;
    std::string word(rest);
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    last = word == "LAST";
    return last;
}

} // namespace

void Session::cmd_data(std::string_view args)
{
    if (bdat_active_) {
        reply(replies::after_bdat("DATA"));
        return;
    }
    if (!in_mail_) {
        reply(replies::need_rcpt());
        return;
    }
    if (env_.recipients.empty()) {
        reply(replies::no_valid_recipients());
        // Content pipelined after a refused DATA would be read as commands;
        // Postfix hangs up instead.
        if (in_pos_ < in_.size())
            close_with(replies::break_rules());
        return;
    }
    if (!args.empty()) {
        reply(replies::data_syntax());
        return;
    }
    env_.chunking = false;
    Verdict v = hooks_.begin_message(env_);
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::begin_data;
        next_ = Next::wait;
        return;
    }
    finish_begin_data(v);
}

void Session::finish_begin_data(const Verdict &v)
{
    if (v.kind == Verdict::Kind::reject) {
        reply(v.reply);
        return;
    }
    message_open_ = true;
    message_bytes_ = 0;
    size_exceeded_ = false;
    reader_.reset();
    phase_ = Phase::data;
    reply(replies::start_data());
}

bool Session::run_data()
{
    if (in_pos_ >= in_.size())
        return false;
    std::string_view avail(in_.data() + in_pos_, in_.size() - in_pos_);
    avail = avail.substr(0, cfg_.content_chunk_size);
    DataReader::Result r = reader_.feed(avail, content_);
    in_pos_ += r.consumed;
    deliver_content(content_);
    if (r.status == DataReader::Status::bare_lf) {
        close_with(replies::bare_lf(cfg_.myhostname));
        return true;
    }
    if (r.status == DataReader::Status::end) {
        phase_ = Phase::command;
        end_content();
    }
    return true;
}

void Session::deliver_content(std::string &chunk)
{
    message_bytes_ += chunk.size();
    if (!size_exceeded_ && cfg_.message_size_limit > 0 && message_bytes_ > cfg_.message_size_limit) {
        // Read on to the end of the message, then answer 552.
        size_exceeded_ = true;
        if (message_open_) {
            message_open_ = false;
            hooks_.abort_message();
        }
    }
    if (!size_exceeded_ && message_open_ && !chunk.empty())
        hooks_.message_data(chunk);
    chunk.clear();
}

void Session::end_content()
{
    if (size_exceeded_) {
        reply(replies::message_file_too_big());
        reset_transaction();
        return;
    }
    Verdict v = hooks_.end_message();
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::end_message;
        next_ = Next::wait;
        return;
    }
    finish_end_message(v);
}

void Session::finish_end_message(const Verdict &v)
{
    message_open_ = false; // ended: the hook owns the outcome now
    if (v.kind == Verdict::Kind::reject) {
        reply(v.reply);
    } else {
        reply(env_.chunking ? replies::chunk_queued(message_bytes_, v.queue_id)
                            : replies::queued(v.queue_id));
        // The error limits count errors made "without delivering mail".
        error_count_ = 0;
    }
    reset_transaction();
}

void Session::cmd_bdat(std::string_view args)
{
    std::uint64_t count = 0;
    bool last = false;
    if (!parse_bdat(args, count, last)) {
        // The byte count is unknown, so the input cannot be resynchronised.
        close_with(replies::bdat_syntax());
        return;
    }
    bdat_chunk_size_ = count;
    bdat_remaining_ = count;
    bdat_last_ = last;
    phase_ = Phase::bdat;
    bdat_discard_ = true;
    if (cfg_.tls_required && !tls_active_) {
        // Postfix answers 530 and would read the chunk as commands; the
        // count is known, so Ferry skips the chunk instead.
        reply(replies::starttls_first());
        return;
    }
    if (bdat_failed_) {
        reply(replies::bdat_discarded(count));
        return;
    }
    Reply err;
    bool failed = true;
    if (!in_mail_)
        err = replies::need_rcpt();
    else if (env_.recipients.empty())
        err = replies::no_valid_recipients();
    else if (count == 0 && !last)
        err = replies::null_bdat();
    else
        failed = false;
    if (failed) {
        reply(err);
        if (message_open_) {
            message_open_ = false;
            hooks_.abort_message();
        }
        bdat_failed_ = !last;
        bdat_active_ = !last;
        return;
    }
    bdat_active_ = true;
    env_.chunking = true;
    if (message_open_) {
        bdat_discard_ = false;
        return;
    }
    message_bytes_ = 0;
    size_exceeded_ = false;
    Verdict v = hooks_.begin_message(env_);
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::begin_bdat;
        next_ = Next::wait;
        return;
    }
    finish_begin_bdat(v);
}

void Session::finish_begin_bdat(const Verdict &v)
{
    if (v.kind == Verdict::Kind::reject) {
        reply(v.reply);
        bdat_failed_ = !bdat_last_;
        bdat_active_ = !bdat_last_;
        return; // the chunk is read and dropped
    }
    message_open_ = true;
    bdat_discard_ = false;
}

bool Session::run_bdat()
{
    if (bdat_remaining_ > 0) {
        if (in_pos_ >= in_.size())
            return false;
        std::uint64_t take = std::min<std::uint64_t>(
            {bdat_remaining_, in_.size() - in_pos_, cfg_.content_chunk_size});
        if (!bdat_discard_) {
            content_.assign(in_, in_pos_, static_cast<std::size_t>(take));
            bdat_ends_in_lf_ = content_.back() == '\n';
            deliver_content(content_);
        }
        in_pos_ += static_cast<std::size_t>(take);
        bdat_remaining_ -= take;
        if (bdat_remaining_ > 0)
            return true;
    }
    phase_ = Phase::command;
    bdat_chunk_done();
    return true;
}

void Session::bdat_chunk_done()
{
    if (bdat_discard_) {
        bdat_discard_ = false;
        if (bdat_last_)
            reset_transaction();
        return;
    }
    if (size_exceeded_) {
        reply(replies::message_file_too_big());
        if (bdat_last_)
            reset_transaction();
        else
            bdat_failed_ = true;
        return;
    }
    if (!bdat_last_) {
        reply(replies::chunk_ok(message_bytes_));
        return;
    }
    // Postfix completes a last line that lacks its line ending.
    if (message_bytes_ > 0 && !bdat_ends_in_lf_) {
        std::string crlf = "\r\n";
        deliver_content(crlf);
    }
    end_content();
}

} // namespace ferry::smtpd
