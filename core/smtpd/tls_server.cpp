// tls_server.cpp - see tls_server.h.
#include "smtpd/tls_server.h"

#include "config/config.h"
#include "log/msg.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace ferry::smtpd {
namespace {

std::string openssl_error() {
    unsigned long e = ERR_get_error();
    if (e == 0) return "unknown error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    return buf;
}

// The lowest protocol a ">=TLSv1.2"-style or "!SSLv2, !SSLv3" value allows.
int min_protocol(const std::string &v) {
    if (v.find(">=TLSv1.3") != std::string::npos) return TLS1_3_VERSION;
    if (v.find(">=TLSv1.2") != std::string::npos) return TLS1_2_VERSION;
    if (v.find(">=TLSv1.1") != std::string::npos) return TLS1_1_VERSION;
    return TLS1_VERSION;
}

// TLS is required but cannot start: Postfix says nothing more, but the
// administrator should know that every client is now refused.
TlsServer refuse_mail_if_required(TlsServer out) {
    if (out.required)
        msg::warning("smtpd_tls_security_level = encrypt without a working certificate: STARTTLS gets "
                     "\"454 4.7.0 TLS not available due to local problem\" and no mail is accepted");
    return out;
}

} // namespace

TlsServer make_tls_server(const Config &cfg, const config::MasterService &row) {
    TlsServer out;
    auto get = [&](const char *name) { return cfg.service_get(row, name).value_or(""); };
    std::string level = get("smtpd_tls_security_level");
    if (level.empty())
        level = get("smtpd_enforce_tls") == "yes" ? "encrypt" : get("smtpd_use_tls") == "yes" ? "may" : "none";
    if (level == "fingerprint" || level == "verify" || level == "secure") {
        msg::warning("smtpd_tls_security_level: unsupported TLS level \"" + level + "\", using \"encrypt\"");
        level = "encrypt";
    }
    if (level != "may" && level != "encrypt") return out;
    out.required = level == "encrypt";
    out.received_header = get("smtpd_tls_received_header") == "yes";
    out.loglevel = std::atoi(get("smtpd_tls_loglevel").c_str());
    std::string chain = get("smtpd_tls_chain_files");
    std::string cert = get("smtpd_tls_cert_file");
    std::string key = get("smtpd_tls_key_file");
    if (chain.empty() && cert.empty()) {
        msg::warning("No server certs available. TLS won't be enabled");
        return refuse_mail_if_required(std::move(out));
    }
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    SSL_CTX *native = ctx->native_handle();
    SSL_CTX_set_options(native, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_min_proto_version(native, min_protocol(get("smtpd_tls_protocols")));
    std::string key_file = chain.empty() ? (key.empty() ? cert : key) : chain;
    std::string cert_file = chain.empty() ? cert : chain;
    if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
        msg::warning("cannot load certificate chain from file \"" + cert_file + "\": " + openssl_error() +
                     "; TLS won't be enabled");
        return refuse_mail_if_required(std::move(out));
    }
    if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(native) != 1) {
        msg::warning("cannot load private key from file \"" + key_file + "\": " + openssl_error() +
                     "; TLS won't be enabled");
        return refuse_mail_if_required(std::move(out));
    }
    out.context = std::move(ctx);
    return out;
}

cleanup::TlsSummary describe_tls(SSL *ssl) {
    cleanup::TlsSummary t;
    t.protocol = SSL_get_version(ssl);
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    if (c) {
        t.cipher_name = SSL_CIPHER_get_name(c);
        t.cipher_usebits = SSL_CIPHER_get_bits(c, &t.cipher_algbits);
    }
    t.peer_certificate = "No client certificate requested";
    return t;
}

std::string tls_established_line(const std::string &who, const cleanup::TlsSummary &t) {
    return "Anonymous TLS connection established from " + who + ": " + t.protocol + " with cipher " +
           t.cipher_name + " (" + std::to_string(t.cipher_usebits) + "/" + std::to_string(t.cipher_algbits) +
           " bits)";
}

} // namespace ferry::smtpd
