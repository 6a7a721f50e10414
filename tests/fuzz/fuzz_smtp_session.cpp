// fuzz_smtp_session.cpp - hostile bytes against the SMTP session engine.
//
// The input is cut into packets of varying size (the first byte seeds the
// sizes) and fed to a Session whose hooks accept everything, answer some
// checks later (pending, then resume) and reject others, so pipelining,
// DATA, BDAT, STARTTLS and the error paths all see arbitrary bytes.  Any
// crash, sanitizer report or leak fails; so does a session that keeps
// producing output after it said "close".
#include "log/msg.h"
#include "smtpd/hooks.h"
#include "smtpd/session.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace ferry::smtpd;

namespace {

struct FuzzHooks : Hooks {
    unsigned n = 0;
    std::size_t bytes = 0;
    Verdict decide() {
        ++n;
        if (n % 7 == 3) return Verdict::pending();
        if (n % 11 == 5) return Verdict::reject(Reply{550, "5.1.1", "no"});
        return Verdict::accept();
    }
    Verdict check_sender(const Envelope &, std::string_view) override { return decide(); }
    Verdict check_recipient(const Envelope &, const Recipient &) override { return decide(); }
    Verdict begin_message(const Envelope &) override { return decide(); }
    void message_data(std::string_view chunk) override { bytes += chunk.size(); }
    Verdict end_message() override {
        Verdict v = decide();
        return v.kind == Verdict::Kind::accept ? Verdict::queued("4FUZZ") : v;
    }
    void abort_message() override {}
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool quiet = (ferry::msg::quiet(true), true);
    (void)quiet;
    if (size == 0) return 0;
    SessionConfig cfg;
    cfg.myhostname = "mx.fuzz.test";
    cfg.message_size_limit = 4096;
    cfg.recipient_limit = 5;
    cfg.tls_available = (data[0] & 1) != 0;
    cfg.forbid_bare_newline = (data[0] & 2) ? BareNewline::reject : BareNewline::normal;
    FuzzHooks hooks;
    Session s(cfg, ClientInfo{"fuzz.example", "192.0.2.9"}, hooks);
    auto next = s.start();
    std::string_view in(reinterpret_cast<const char *>(data) + 1, size - 1);
    unsigned seed = data[0];
    while (!in.empty() && next != Session::Next::close) {
        seed = seed * 1103515245u + 12345u;
        std::size_t take = 1 + (seed >> 16) % 64;
        if (take > in.size()) take = in.size();
        if (next == Session::Next::wait) next = s.resume((seed >> 8) & 1 ? Verdict::accept() : Verdict::queued("4FUZZ2"));
        else if (next == Session::Next::start_tls) next = s.tls_started();
        else {
            next = s.receive(in.substr(0, take));
            in.remove_prefix(take);
        }
        s.take_output();
        s.take_delay();
    }
    if (next == Session::Next::close) {
        // A closed session must stay closed.
        s.receive("NOOP\r\n");
        if (!s.take_output().empty()) std::abort();
    }
    s.disconnect();
    return 0;
}
