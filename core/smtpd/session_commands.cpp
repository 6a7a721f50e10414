// session_commands.cpp - HELO/EHLO, MAIL, RCPT, RSET, NOOP, QUIT, VRFY,
// ETRN and STARTTLS, in the order and with the replies of Postfix's smtpd.
#include "smtpd/command.h"
#include "smtpd/esmtp_params.h"
#include "smtpd/replies.h"
#include "smtpd/session.h"

namespace ferry::smtpd {

void Session::dispatch(std::string_view line)
{
    CommandLine cmd = split_command(line);
    const std::string &v = cmd.verb;
    count_command(v);
    if (v.empty())
        reply(replies::bad_syntax());
    else if (v == "HELO")
        cmd_helo(cmd.args, false);
    else if (v == "EHLO")
        cmd_helo(cmd.args, true);
    else if (v == "MAIL")
        cmd_mail(cmd.args);
    else if (v == "RCPT")
        cmd_rcpt(cmd.args);
    else if (v == "DATA")
        cmd_data(cmd.args);
    else if (v == "BDAT" && cfg_.enable_chunking)
        cmd_bdat(cmd.args);
    else if (v == "RSET")
        cmd_rset(cmd.args);
    else if (v == "NOOP")
        reply(replies::ok());
    else if (v == "QUIT")
        close_with(replies::bye());
    else if (v == "VRFY")
        cmd_vrfy(cmd.args);
    else if (v == "ETRN")
        cmd_etrn(cmd.args);
    else if (v == "STARTTLS")
        cmd_starttls(cmd.args);
    else if (v == "AUTH")
        reply(replies::make(503, "5.5.1", "Error: authentication not enabled"));
    else
        reply(replies::not_recognized());
}

std::string Session::ehlo_text() const
{
    std::string t = cfg_.myhostname;
    if (cfg_.enable_pipelining)
        t += "\nPIPELINING";
    t += cfg_.message_size_limit > 0 ? "\nSIZE " + std::to_string(cfg_.message_size_limit)
                                     : std::string("\nSIZE");
    if (!cfg_.disable_vrfy_command)
        t += "\nVRFY";
    t += "\nETRN";
    if (cfg_.tls_available && !tls_active_)
        t += "\nSTARTTLS";
    t += "\nENHANCEDSTATUSCODES\n8BITMIME";
    if (cfg_.enable_dsn)
        t += "\nDSN";
    if (cfg_.enable_smtputf8)
        t += "\nSMTPUTF8";
    if (cfg_.enable_chunking)
        t += "\nCHUNKING";
    return t;
}

void Session::cmd_helo(std::string_view args, bool extended)
{
    if (args.empty()) {
        reply(extended ? replies::ehlo_syntax() : replies::helo_syntax());
        return;
    }
    // A new greeting ends any transaction, as in Postfix.
    reset_transaction();
    helo_seen_ = true;
    env_.helo_name = std::string(args);
    env_.protocol = extended ? (tls_active_ ? "ESMTPS" : "ESMTP") : "SMTP";
    if (extended)
        reply(Reply{250, "", ehlo_text()});
    else
        reply(Reply{250, "", cfg_.myhostname});
}

void Session::cmd_mail(std::string_view args)
{
    if (bdat_active_) {
        reply(replies::after_bdat("MAIL"));
        return;
    }
    if (in_mail_) {
        reply(replies::nested_mail());
        return;
    }
    PathArgument path = parse_path(args, "FROM:");
    if (path.status == PathArgument::Status::syntax) {
        reply(replies::mail_syntax());
        return;
    }
    if (path.status == PathArgument::Status::bad_address) {
        reply(replies::bad_sender());
        return;
    }
    pending_env_ = env_;
    pending_env_.sender = path.address;
    if (auto err = parse_mail_params(path.params, cfg_.message_size_limit, pending_env_)) {
        reply(*err);
        return;
    }
    if (!pending_env_.smtputf8 && has_non_ascii(path.address)) {
        reply(replies::need_smtputf8());
        return;
    }
    Verdict v = hooks_.check_sender(pending_env_, pending_env_.sender);
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::sender;
        next_ = Next::wait;
        return;
    }
    finish_sender(v);
}

void Session::finish_sender(const Verdict &v)
{
    if (v.kind == Verdict::Kind::reject) {
        log_reject("MAIL", v.reply, nullptr);
        reply(v.reply);
        return;
    }
    env_ = std::move(pending_env_);
    in_mail_ = true;
    reply(replies::sender_ok());
}

void Session::cmd_rcpt(std::string_view args)
{
    if (!in_mail_) {
        reply(replies::need_mail());
        return;
    }
    if (bdat_active_) {
        reply(replies::after_bdat("RCPT"));
        return;
    }
    PathArgument path = parse_path(args, "TO:");
    if (path.status == PathArgument::Status::syntax) {
        reply(replies::rcpt_syntax());
        return;
    }
    if (path.status == PathArgument::Status::bad_address || path.address.empty()) {
        reply(replies::bad_recipient());
        return;
    }
    if (cfg_.recipient_limit > 0 && env_.recipients.size() >= cfg_.recipient_limit) {
        reply(replies::too_many_recipients());
        return;
    }
    pending_rcpt_ = Recipient{};
    pending_rcpt_.address = path.address;
    if (auto err = parse_rcpt_params(path.params, pending_rcpt_)) {
        reply(*err);
        return;
    }
    if (!env_.smtputf8 && has_non_ascii(path.address)) {
        reply(replies::need_smtputf8());
        return;
    }
    Verdict v = hooks_.check_recipient(env_, pending_rcpt_);
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::recipient;
        next_ = Next::wait;
        return;
    }
    finish_recipient(v);
}

void Session::finish_recipient(const Verdict &v)
{
    if (v.kind == Verdict::Kind::reject) {
        log_reject("RCPT", v.reply, &pending_rcpt_.address);
        reply(v.reply);
        return;
    }
    env_.recipients.push_back(std::move(pending_rcpt_));
    reply(replies::recipient_ok());
}

void Session::cmd_rset(std::string_view args)
{
    if (!args.empty()) {
        reply(replies::rset_syntax());
        return;
    }
    reset_transaction();
    reply(replies::ok());
}

void Session::cmd_vrfy(std::string_view args)
{
    if (cfg_.disable_vrfy_command) {
        reply(replies::vrfy_disabled());
        return;
    }
    if (args.empty()) {
        reply(replies::vrfy_syntax());
        return;
    }
    // "VRFY address [SMTPUTF8]": the address may come with or without <>.
    std::string_view arg = args;
    auto blank = arg.find(' ');
    if (blank != std::string_view::npos)
        arg = arg.substr(0, blank);
    pending_arg_ = std::string(arg);
    std::string address = pending_arg_;
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
        address = address.substr(1, address.size() - 2);
    pending_rcpt_ = Recipient{};
    pending_rcpt_.address = std::move(address);
    Verdict v = hooks_.check_recipient(env_, pending_rcpt_);
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::vrfy;
        next_ = Next::wait;
        return;
    }
    finish_vrfy(v);
}

void Session::finish_vrfy(const Verdict &v)
{
    if (v.kind == Verdict::Kind::reject) {
        log_reject("VRFY", v.reply, &pending_rcpt_.address);
        reply(v.reply);
        return;
    }
    reply(replies::vrfy_cannot_verify(pending_arg_));
}

void Session::cmd_etrn(std::string_view args)
{
    if (!helo_seen_) {
        reply(replies::etrn_need_helo());
        return;
    }
    if (in_mail_) {
        reply(replies::etrn_in_transaction());
        return;
    }
    if (args.empty() || args.find(' ') != std::string_view::npos) {
        reply(replies::etrn_syntax());
        return;
    }
    pending_arg_ = std::string(args);
    Verdict v = hooks_.etrn(pending_arg_);
    if (v.kind == Verdict::Kind::pending) {
        pending_ = Pending::etrn;
        next_ = Next::wait;
        return;
    }
    finish_etrn(v);
}

void Session::finish_etrn(const Verdict &v)
{
    reply(v.kind == Verdict::Kind::reject ? v.reply : replies::etrn_started());
}

void Session::cmd_starttls(std::string_view args)
{
    if (!args.empty()) {
        reply(replies::starttls_syntax());
        return;
    }
    if (tls_active_) {
        reply(replies::tls_already_active());
        return;
    }
    if (!cfg_.tls_available) {
        reply(replies::not_implemented());
        return;
    }
    if (in_mail_) {
        reply(replies::tls_in_transaction());
        return;
    }
    reply(replies::ready_tls());
    // Whatever followed STARTTLS in plaintext must not reach the TLS
    // session (CVE-2011-0411): drop it.
    in_.clear();
    in_pos_ = 0;
    skip_line_ = false;
    next_ = Next::start_tls;
}

} // namespace ferry::smtpd
