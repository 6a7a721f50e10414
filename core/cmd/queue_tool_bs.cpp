// queue_tool_bs.cpp - sendmail -bs: Ferry's SMTP session (smtpd/session.h)
// on standard input and output, as Postfix runs smtpd for a local user.
// Every accepted message becomes a maildrop file, like any other local
// submission, so pickup adds the "from userid" trace.  Hooks answer at
// once: there are no tables to ask and one message is written at a time.
#include "cmd/queue_tool_submit.h"

#include "config/config.h"
#include "log/msg.h"
#include "pickup/maildrop.h"
#include "smtpd/hooks.h"
#include "smtpd/session.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace ferry::cmd {
namespace {

std::uint8_t queue_notify(unsigned n) {
    std::uint8_t out = 0;
    if (n & smtpd::notify_success) out |= queue::notify_success;
    if (n & smtpd::notify_failure) out |= queue::notify_failure;
    if (n & smtpd::notify_delay) out |= queue::notify_delay;
    if (n & smtpd::notify_never) out |= queue::notify_never;
    return out;
}

class MaildropHooks final : public smtpd::Hooks {
public:
    MaildropHooks(std::string queue_directory, std::uint64_t limit, pickup::MaildropWriter::Postdrop postdrop)
        : top_(std::move(queue_directory)), limit_(limit), postdrop_(std::move(postdrop)) {}

    smtpd::Verdict check_sender(const smtpd::Envelope &, std::string_view) override {
        return smtpd::Verdict::accept();
    }
    smtpd::Verdict check_recipient(const smtpd::Envelope &, const smtpd::Recipient &) override {
        return smtpd::Verdict::accept();
    }
    smtpd::Verdict begin_message(const smtpd::Envelope &env) override {
        queue::Envelope q;
        q.arrival_us = static_cast<std::uint64_t>(::time(nullptr)) * 1000000u;
        q.sender = env.sender;
        for (const auto &r : env.recipients) q.recipients.push_back({r.address, r.orcpt, queue_notify(r.notify), false});
        q.envid = env.envid;
        q.ret = env.ret == smtpd::Ret::full ? queue::DsnRet::full
              : env.ret == smtpd::Ret::hdrs ? queue::DsnRet::hdrs
                                            : queue::DsnRet::unspecified;
        q.smtputf8 = env.smtputf8;
        writer_ = std::make_unique<pickup::MaildropWriter>();
        failure_ = writer_->open(top_, q, limit_, &postdrop_);
        pending_cr_ = false;
        if (!failure_.ok()) {
            msg::warning(failure_.text());
            writer_.reset();
            return smtpd::Verdict::reject(write_error());
        }
        return smtpd::Verdict::accept();
    }
    void message_data(std::string_view chunk) override {
        if (!writer_ || !failure_.ok()) return;
        std::string out; // CRLF to LF, as maildrop keeps it
        for (char c : chunk) {
            if (pending_cr_) {
                pending_cr_ = false;
                if (c != '\n') out += '\r';
            }
            if (c == '\r') pending_cr_ = true;
            else out += c;
        }
        failure_ = writer_->append(out);
    }
    smtpd::Verdict end_message() override {
        if (!writer_) return smtpd::Verdict::reject(write_error());
        if (failure_.ok() && pending_cr_) failure_ = writer_->append("\r");
        if (failure_.ok()) failure_ = writer_->finish();
        auto w = std::move(writer_);
        if (failure_.code() == queue::StatusCode::too_big) {
            w->abort();
            return smtpd::Verdict::reject(smtpd::Reply{552, "5.3.4", "Error: message file too big"});
        }
        if (!failure_.ok()) {
            msg::warning(failure_.text());
            w->abort();
            return smtpd::Verdict::reject(write_error());
        }
        return smtpd::Verdict::queued(w->queue_id());
    }
    void abort_message() override {
        if (writer_) writer_->abort();
        writer_.reset();
    }

private:
    static smtpd::Reply write_error() { return smtpd::Reply{451, "4.3.0", "Error: queue file write error"}; }

    std::string top_;
    std::uint64_t limit_;
    pickup::MaildropWriter::Postdrop postdrop_;
    std::unique_ptr<pickup::MaildropWriter> writer_;
    queue::Status failure_;
    bool pending_cr_ = false;
};

bool write_out(smtpd::Session &s) {
    std::string out = s.take_output();
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::write(1, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

} // namespace

int smtp_on_stdin(const Config &cfg, const Submitter &) {
    auto get = [&](const char *name) { return cfg.get(name).value_or(""); };
    smtpd::SessionConfig sc;
    sc.myhostname = get("myhostname");
    sc.banner = get("smtpd_banner");
    sc.message_size_limit = std::strtoull(get("message_size_limit").c_str(), nullptr, 10);
    MaildropHooks hooks(get("queue_directory"), sc.message_size_limit, postdrop_for(cfg));
    smtpd::ClientInfo client;
    client.name = "localhost";
    client.addr = "127.0.0.1";
    smtpd::Session session(sc, client, hooks);
    auto next = session.start();
    char buf[65536];
    while (true) {
        if (!write_out(session)) break;
        if (next == smtpd::Session::Next::close) break;
        ssize_t n = ::read(0, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        next = session.receive(std::string_view(buf, static_cast<size_t>(n)));
    }
    session.disconnect();
    return 0;
}

} // namespace ferry::cmd
