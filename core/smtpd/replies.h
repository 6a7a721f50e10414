// replies.h - the SMTP server's reply vocabulary, in one place.
//
// Texts and enhanced codes are the ones Postfix's smtpd sends (checked
// against Postfix 3.7 on the wire); clients, tests and log readers grep for
// them, so change them only to follow Postfix.  Replies that name the host
// take it as an argument.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "smtpd/reply.h"

namespace ferry::smtpd::replies {

inline Reply make(int code, std::string_view enhanced, std::string_view text)
{
    return Reply{code, std::string(enhanced), std::string(text)};
}

// Success.
inline Reply ok() { return make(250, "2.0.0", "Ok"); }
inline Reply sender_ok() { return make(250, "2.1.0", "Ok"); }
inline Reply recipient_ok() { return make(250, "2.1.5", "Ok"); }
inline Reply bye() { return make(221, "2.0.0", "Bye"); }
inline Reply start_data() { return make(354, "", "End data with <CR><LF>.<CR><LF>"); }
inline Reply queued(std::string_view id) { return make(250, "2.0.0", "Ok: queued as " + std::string(id)); }
inline Reply chunk_ok(std::uint64_t bytes) { return make(250, "2.0.0", "Ok: " + std::to_string(bytes) + " bytes"); }
inline Reply chunk_queued(std::uint64_t bytes, std::string_view id)
{
    return make(250, "2.0.0", "Ok: " + std::to_string(bytes) + " bytes queued as " + std::string(id));
}
inline Reply ready_tls() { return make(220, "2.0.0", "Ready to start TLS"); }
inline Reply vrfy_cannot_verify(std::string_view arg) { return make(252, "2.0.0", arg); }
inline Reply etrn_started() { return make(250, "", "Queuing started"); }

// Sequence errors.
inline Reply need_mail() { return make(503, "5.5.1", "Error: need MAIL command"); }
inline Reply need_rcpt() { return make(503, "5.5.1", "Error: need RCPT command"); }
inline Reply need_helo() { return make(503, "5.5.1", "Error: send HELO/EHLO first"); }
inline Reply nested_mail() { return make(503, "5.5.1", "Error: nested MAIL command"); }
inline Reply no_valid_recipients() { return make(554, "5.5.1", "Error: no valid recipients"); }
inline Reply after_bdat(std::string_view verb) { return make(503, "5.5.1", "Error: " + std::string(verb) + " after BDAT"); }
inline Reply etrn_need_helo() { return make(503, "", "Error: send HELO/EHLO first"); }
inline Reply etrn_in_transaction() { return make(503, "", "Error: MAIL transaction in progress"); }
inline Reply tls_in_transaction() { return make(503, "5.5.1", "Error: MAIL transaction in progress"); }

// Unknown or unavailable commands.
inline Reply not_recognized() { return make(500, "5.5.2", "Error: command not recognized"); }
inline Reply bad_syntax() { return make(500, "5.5.2", "Error: bad syntax"); }
inline Reply not_implemented() { return make(502, "5.5.1", "Error: command not implemented"); }
inline Reply vrfy_disabled() { return make(502, "5.5.1", "VRFY command is disabled"); }
inline Reply tls_already_active() { return make(554, "5.5.1", "Error: TLS already active"); }

// TLS required (smtpd_tls_security_level = encrypt).  Every command but
// HELO, EHLO, STARTTLS, NOOP and QUIT gets 530 before TLS is active; with
// no usable certificate STARTTLS itself gets 454, so no mail is accepted.
inline Reply starttls_first() { return make(530, "5.7.0", "Must issue a STARTTLS command first"); }
inline Reply tls_unavailable() { return make(454, "4.7.0", "TLS not available due to local problem"); }

// Syntax errors.
inline Reply helo_syntax() { return make(501, "", "Syntax: HELO hostname"); }
inline Reply ehlo_syntax() { return make(501, "", "Syntax: EHLO hostname"); }
inline Reply mail_syntax() { return make(501, "5.5.4", "Syntax: MAIL FROM:<address>"); }
inline Reply rcpt_syntax() { return make(501, "5.5.4", "Syntax: RCPT TO:<address>"); }
inline Reply data_syntax() { return make(501, "5.5.4", "Syntax: DATA"); }
inline Reply rset_syntax() { return make(501, "5.5.4", "Syntax: RSET"); }
inline Reply starttls_syntax() { return make(501, "5.5.4", "Syntax: STARTTLS"); }
inline Reply vrfy_syntax() { return make(501, "5.5.4", "Syntax: VRFY address [SMTPUTF8]"); }
inline Reply etrn_syntax() { return make(500, "", "Syntax: ETRN domain"); }
inline Reply etrn_bad_parameter() { return make(501, "", "Error: invalid parameter syntax"); }
// BDAT with a bad count cannot be skipped over, so the session ends.
inline Reply bdat_syntax() { return make(521, "5.5.4", "Syntax: BDAT count [LAST]"); }
inline Reply bad_sender() { return make(501, "5.1.7", "Bad sender address syntax"); }
inline Reply bad_recipient() { return make(501, "5.1.3", "Bad recipient address syntax"); }
inline Reply need_smtputf8() { return make(553, "5.6.7", "Must declare SMTPUTF8 to send unicode address"); }

// ESMTP parameters.
inline Reply unsupported_option(std::string_view param)
{
    return make(555, "5.5.4", "Unsupported option: " + std::string(param));
}
inline Reply bad_size() { return make(501, "5.5.4", "Bad message size syntax"); }
inline Reply bad_ret() { return make(501, "5.5.4", "Bad RET parameter syntax"); }
inline Reply bad_envid() { return make(501, "5.5.4", "Bad ENVID parameter syntax"); }
inline Reply bad_notify() { return make(501, "5.5.4", "Error: Bad NOTIFY parameter syntax"); }
inline Reply bad_orcpt() { return make(501, "5.5.4", "Error: Bad ORCPT parameter syntax"); }

// Limits.
inline Reply size_exceeded() { return make(552, "5.3.4", "Message size exceeds fixed limit"); }
// Content over message_size_limit, found while it streams (Postfix's
// cleanup status as smtpd words it).
inline Reply message_file_too_big() { return make(552, "5.3.4", "Error: message file too big"); }
inline Reply too_many_recipients() { return make(452, "4.5.3", "Error: too many recipients"); }
inline Reply null_bdat() { return make(551, "5.7.1", "Null BDAT request"); }
inline Reply bdat_discarded(std::uint64_t bytes)
{
    return make(551, "5.0.0", "Discarded " + std::to_string(bytes) + " bytes after earlier error");
}

// Replies that end the session.
inline Reply too_many_errors(std::string_view host)
{
    return make(421, "4.7.0", std::string(host) + " Error: too many errors");
}
inline Reply bare_lf(std::string_view host)
{
    return make(521, "5.5.2", std::string(host) + " Error: bare <LF> received");
}
// smtpd_forbid_unauth_pipelining = yes: a command (or any input before the
// greeting) that came before the reply it had to wait for.
inline Reply pipelining_sync() { return make(554, "5.5.0", "Error: SMTP protocol synchronization"); }
// Sent when a client keeps pipelining content after DATA was refused.
inline Reply break_rules() { return make(221, "2.7.0", "Error: I can break rules, too. Goodbye."); }

// Queue writer failures (returned by hooks; listed for callers).
inline Reply queue_write_error() { return make(451, "4.3.0", "Error: queue file write error"); }
inline Reply insufficient_storage() { return make(452, "4.3.1", "Insufficient system storage"); }

} // namespace ferry::smtpd::replies
