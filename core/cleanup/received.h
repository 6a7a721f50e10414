// received.h - the Received: header smtpd puts on top of every message, and
// the RFC 5322 date Postfix writes in it and in an added Date: header.
//
// Texts match Postfix 3.7 as observed with postcat: three (or, with TLS
// details, six) lines joined by CRLF and a tab, the "for <rcpt>" clause only
// when the message has exactly one recipient.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace ferry::cleanup {

// What smtpd knows about the TLS session, shown only when
// smtpd_tls_received_header = yes.
struct TlsSummary {
    std::string protocol;    // "TLSv1.3"
    std::string cipher_name; // "TLS_AES_256_GCM_SHA384"
    int cipher_usebits = 0;
    int cipher_algbits = 0;
    // "key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest
    // SHA256"; empty when not known, and the cipher line then closes itself.
    std::string key_exchange;
    // "No client certificate requested", "Client CN \"x\", Issuer \"y\" (verified OK)"...
    std::string peer_certificate;
};

struct ReceivedInputs {
    std::string helo_name;   // empty: no HELO/EHLO, the client name is shown
    std::string client_name; // "localhost", or "unknown"
    std::string client_addr; // as in Postfix's logs: "127.0.0.1", "IPv6:2001:db8::1"
    std::string myhostname;
    std::string mail_name = "Postfix";
    std::string protocol;    // SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA
    std::string queue_id;
    std::vector<std::string> recipients; // as given in RCPT TO, without <>
    std::optional<TlsSummary> tls;       // set only with smtpd_tls_received_header
    std::time_t arrival = 0;
};

// The whole header, every line ending in CRLF.
std::string received_header(const ReceivedInputs &in);

// "Sun,  1 Nov 2026 13:38:55 -0500 (EST)": local time, space-padded day,
// numeric offset and the zone's abbreviation in parentheses.
std::string rfc5322_date(std::time_t when);

} // namespace ferry::cleanup
