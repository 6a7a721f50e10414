// tls_server.h - STARTTLS for the SMTP server: the OpenSSL context built
// from the smtpd_tls_* parameters, and what a finished handshake gives the
// log and the Received: header.
//
// TLS is offered when smtpd_tls_security_level is "may" or "encrypt" (or
// the obsolete smtpd_use_tls = yes, smtpd_enforce_tls = yes) and a
// certificate and key load.  With "may", a certificate that does not load
// is logged and TLS is not offered, so mail still flows in plaintext.
// With "encrypt" TLS is required: the session refuses mail before STARTTLS
// (530 5.7.0), and without a usable certificate STARTTLS is still offered
// but answered "454 4.7.0 TLS not available due to local problem", as
// Postfix does, so no mail is accepted in plaintext.  "fingerprint",
// "verify" and "secure" are not server levels: Postfix warns and uses
// "encrypt".
#pragma once

#include "config/fwd.h"

#include "cleanup/received.h"

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace ferry::smtpd {

struct TlsServer {
    std::unique_ptr<boost::asio::ssl::context> context; // null: TLS cannot start
    bool required = false;                              // level "encrypt"
    bool received_header = false;                       // smtpd_tls_received_header
    int loglevel = 0;                                   // smtpd_tls_loglevel
};

TlsServer make_tls_server(const Config &cfg, const config::MasterService &row);

// The negotiated protocol and cipher of an established connection.
cleanup::TlsSummary describe_tls(SSL *ssl);

// Postfix's "Anonymous TLS connection established from name[addr]:
// TLSv1.3 with cipher ... (256/256 bits)".
std::string tls_established_line(const std::string &who, const cleanup::TlsSummary &t);

} // namespace ferry::smtpd
