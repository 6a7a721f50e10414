// tls_server.h - STARTTLS for the SMTP server: the OpenSSL context built
// from the smtpd_tls_* parameters, and what a finished handshake gives the
// log and the Received: header.
//
// TLS is offered when smtpd_tls_security_level is "may" or "encrypt" (or
// the obsolete smtpd_use_tls = yes) and a certificate and key load.  A
// certificate that does not load is logged and TLS is not offered, as
// Postfix does, so mail still flows in plaintext.
#pragma once

#include "cleanup/received.h"

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace ferry {
class Config;
namespace config {
struct MasterService;
}
} // namespace ferry

namespace ferry::smtpd {

struct TlsServer {
    std::unique_ptr<boost::asio::ssl::context> context; // null: TLS not offered
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
