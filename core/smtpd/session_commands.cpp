// session_commands.cpp - HELO/EHLO, MAIL, RCPT, RSET, NOOP, QUIT, VRFY,
// ETRN and STARTTLS, in the order and with the replies of Postfix's smtpd;
// before any of them, Postfix's checks from its command table: TLS
// required (530) and improper pipelining (logged; 554 when forbidden).
#include <cctype>
#include <cstdio>

#include "log/msg.h"
#include "smtpd/command.h"
#include "smtpd/esmtp_params.h"
#include "smtpd/replies.h"
#include "smtpd/session.h"

namespace ferry::smtpd {

namespace {

// What Postfix's command table says about each command it knows: whether
// it is allowed before STARTTLS when TLS is required, and whether it must
// be the last of a pipelined group (the client waits for its reply).
struct CommandRule {
    const char *verb;
    bool pre_tls;
    bool last;
};

constexpr CommandRule command_rules[] = {
    {"HELO", true, true},   {"EHLO", true, true},  {"STARTTLS", true, false}, {"AUTH", false, false},
    {"MAIL", false, false}, {"RCPT", false, false}, {"DATA", false, true},     {"BDAT", false, false},
    {"RSET", false, false}, {"NOOP", true, true},  {"VRFY", false, true},     {"ETRN", false, false},
    {"QUIT", true, false},
};

const CommandRule *find_rule(std::string_view verb)
{
    for (const auto &r : command_rules)
        if (verb == r.verb)
            return &r;
    return nullptr;
}

// Client input as Postfix's escape() shows it in a log line: at most 100
// bytes, C escapes for control characters, octal for the rest.
// ETRN's argument, as Postfix's valid_hostname() or an address literal:
// dot-separated labels of letters, digits, '-' and '_', each 1 to 63
// characters not starting or ending with '-', at most 255 in all.
bool valid_etrn_domain(std::string_view name)
{
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']')
        return name.find_first_not_of("0123456789abcdefABCDEF.:[]IPv", 0) == std::string_view::npos;
    if (name.empty() || name.size() > 255)
        return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        std::string_view label = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
                return false;
        if (dot == std::string_view::npos)
            break;
        start = dot + 1;
    }
    return true;
}

std::string escape_input(std::string_view in)
{
    std::string out;
    for (unsigned char c : in.substr(0, 100)) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\%03o", c);
                out += buf;
            }
        }
    }
    return out;
}

} // namespace

void Session::dispatch(std::string_view line)
{
    CommandLine cmd = split_command(line);
    const std::string &v = cmd.verb;
    if (v.empty()) { // an empty line: an error, but not a command in the counts (Postfix)
        reply(replies::bad_syntax());
        return;
    }
    count_command(v);
    const CommandRule *rule = find_rule(v);
    where_ = rule != nullptr ? rule->verb : "UNKNOWN";
    if (rule == nullptr || (v == "BDAT" && !cfg_.enable_chunking)) {
        reply(replies::not_recognized());
        return;
    }
    if (cfg_.tls_required && !tls_active_ && !rule->pre_tls) {
        // BDAT's counted bytes are skipped, not read as commands.
        if (v == "BDAT")
            cmd_bdat(cmd.args);
        else
            reply(replies::starttls_first());
        return;
    }
    // Postfix's rule: input already waiting after a command that ends a
    // pipelined group, or after any command before EHLO.
    bool esmtp = env_.protocol.rfind("ESMTP", 0) == 0;
    if ((!esmtp || rule->last) && in_pos_ < in_.size() &&
        pipelining_violation(rule->verb, std::string_view(in_).substr(in_pos_)))
        return;
    if (v == "HELO")
        cmd_helo(cmd.args, false);
    else if (v == "EHLO")
        cmd_helo(cmd.args, true);
    else if (v == "MAIL")
        cmd_mail(cmd.args);
    else if (v == "RCPT")
        cmd_rcpt(cmd.args);
    else if (v == "DATA")
        cmd_data(cmd.args);
    else if (v == "BDAT")
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
    else // AUTH
        reply(replies::make(503, "5.5.1", "Error: authentication not enabled"));
}

// Logs the first violation of the session; true when the session ends for
// it (smtpd_forbid_unauth_pipelining).
bool Session::pipelining_violation(std::string_view after, std::string_view early)
{
    if (!cfg_.check_pipelining || improper_pipelining_)
        return false;
    improper_pipelining_ = true;
    msg::info("improper command pipelining after " + std::string(after) + " from " + client_.name + "[" +
              client_.addr + "]: " + escape_input(early));
    if (!cfg_.forbid_unauth_pipelining)
        return false;
    close_with(replies::pipelining_sync());
    return true;
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
    if ((cfg_.tls_available || cfg_.tls_required) && !tls_active_)
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
    if (cfg_.helo_required && !helo_seen_) {
        reply(replies::need_helo());
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
        // Postfix: the first smtpd_recipient_overshoot_limit of these are
        // not errors (a pipelining client sends every RCPT before it reads).
        if (rcpt_overshoot_++ < cfg_.recipient_overshoot_limit)
            reply_not_an_error(replies::too_many_recipients());
        else
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
    if (!helo_seen_ && cfg_.helo_required) {
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
    // RFC 1985's "@domain" (subdomains too) and "#queue" name the same
    // site for a flush; Postfix drops the mark and checks the name.
    if (args.front() == '@' || args.front() == '#')
        args.remove_prefix(1);
    if (!valid_etrn_domain(args)) {
        reply(replies::etrn_bad_parameter());
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
        // Required but without a usable certificate: Postfix's answer when
        // its TLS engine did not start.
        reply(cfg_.tls_required ? replies::tls_unavailable() : replies::not_implemented());
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
