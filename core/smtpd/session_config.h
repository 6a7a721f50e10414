// session_config.h - the main.cf parameters and client facts a session uses.
//
// The caller reads main.cf, expands $names and fills this in; the session
// never looks a parameter up itself.  Defaults are Postfix's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ferry::smtpd {

// smtpd_forbid_bare_newline (Postfix 3.9 values).  Every mode requires
// <CR><LF>.<CR><LF> to end DATA; they differ in what a bare <LF> does.
enum class BareNewline {
    normal, // accept a line ending in bare <LF> as if it ended in <CR><LF>
    reject, // answer "521 5.5.2 host Error: bare <LF> received" and close
};

struct SessionConfig {
    std::string myhostname = "localhost";
    std::string banner;                      // expanded smtpd_banner; default
                                             // "$myhostname ESMTP Postfix"
    std::uint64_t message_size_limit = 10240000; // 0: no limit
    unsigned recipient_limit = 1000;         // smtpd_recipient_limit
    // smtpd_recipient_overshoot_limit: "too many recipients" replies that do
    // not count as errors (a client may send them all before reading).
    unsigned recipient_overshoot_limit = 1000;
    bool helo_required = false;              // smtpd_helo_required
    unsigned soft_error_limit = 10;          // smtpd_soft_error_limit
    unsigned hard_error_limit = 20;          // smtpd_hard_error_limit
    unsigned error_sleep_seconds = 1;        // smtpd_error_sleep_time
    std::size_t line_length_limit = 2048;    // line_length_limit
    bool disable_vrfy_command = false;
    bool enable_pipelining = true;           // smtpd_... : advertised
    bool enable_chunking = true;             // smtpd_discard_ehlo_keywords
    bool enable_smtputf8 = true;             // smtputf8_enable
    bool enable_dsn = true;
    bool tls_available = false;              // STARTTLS works: a certificate loaded
    // smtpd_tls_security_level = encrypt (or smtpd_enforce_tls = yes):
    // STARTTLS is offered even when tls_available is false (it then gets
    // "454 4.7.0 TLS not available due to local problem"), and every
    // command but HELO, EHLO, STARTTLS, NOOP and QUIT gets "530 5.7.0 Must
    // issue a STARTTLS command first" until TLS is active.
    bool tls_required = false;
    // A network client (the smtpd service sets this; `sendmail -bs` does
    // not, as Postfix skips the check in stand-alone mode): a command sent
    // before the reply it had to wait for is logged, once per session, as
    // "improper command pipelining after CMD from host[addr]: input".
    bool check_pipelining = false;
    // smtpd_forbid_unauth_pipelining (Postfix 3.7.6+, default no; 3.9:
    // yes): such a client is answered "554 5.5.0 Error: SMTP protocol
    // synchronization" and the session ends.
    bool forbid_unauth_pipelining = false;
    BareNewline forbid_bare_newline = BareNewline::normal;
    std::size_t content_chunk_size = 64 * 1024; // message_data() batching
};

struct ClientInfo {
    std::string name = "unknown";            // verified reverse name
    std::string addr;                        // printable address
};

} // namespace ferry::smtpd
