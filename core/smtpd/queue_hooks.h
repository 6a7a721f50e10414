// queue_hooks.h - the Hooks of a real SMTP server: recipient checks, and
// each accepted message through cleanup into a queue file that is group-
// committed before "250 2.0.0 Ok: queued as ID".
//
// Answers that take time (a check against a blocking table, the commit)
// come back as Verdict::pending; the answer is delivered later through the
// `post` function the connection gives (it runs the continuation on the
// connection's event loop) and the connection hands it to
// Session::resume().
//
// The queue file itself is created off the event loop (run_file_job, or
// run_blocking without it) from MAIL FROM on, as Postfix's cleanup creates
// its file then; DATA waits for it only if it is not there yet.  Only if
// that fails does the event loop create the file itself (and report why it
// cannot).
#pragma once

#include "cleanup/content.h"
#include "cleanup/received.h"
#include "queue/group_commit.h"
#include "queue/queue_file_writer.h"
#include "smtpd/anvil.h"
#include "smtpd/hooks.h"
#include "smtpd/recipient_check.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ferry::smtpd {

// What every connection of one smtpd process shares.
struct ReceiveContext {
    std::string myhostname;
    std::string mail_name = "Postfix";
    std::string queue_directory;
    std::uint64_t queue_minfree = 0;
    std::uint64_t message_size_limit = 10240000;
    long hopcount_limit = 50;
    long header_size_limit = 102400;
    bool always_add_missing_headers = false;
    std::string undisclosed_recipients_header;
    const RecipientCheck *recipients = nullptr;
    queue::GroupCommitter *committer = nullptr;
    Anvil *anvil = nullptr;
    std::string service_name; // for anvil's log lines: "smtp"
    // Runs a blocking job off the event loop, then `done` back on it.
    std::function<void(std::function<void()> job)> run_blocking;
    // Runs the jobs that create queue files, one at a time: creations in
    // one directory take its lock in turn anyway, and threads waiting for
    // it spin on the CPU the sessions need.  Unset: run_blocking.
    std::function<void(std::function<void()> job)> run_file_job;
};

class QueueHooks final : public Hooks {
public:
    // `post` runs a function on the connection's event loop; `resume`
    // delivers a pending answer (called on that loop).
    // What the connection decided about its client once, at connect time.
    struct ClientPolicy {
        bool rewrite_allowed = false; // local_header_rewrite_clients
        bool rate_limited = true;     // not in smtpd_client_event_limit_exceptions
    };
    QueueHooks(const ReceiveContext &ctx, std::function<void(std::function<void()>)> post,
               std::function<void(Verdict)> resume, ClientPolicy policy);
    ~QueueHooks() override;

    Verdict check_sender(const Envelope &env, std::string_view sender) override;
    Verdict check_recipient(const Envelope &env, const Recipient &rcpt) override;
    Verdict begin_message(const Envelope &env) override;
    void message_data(std::string_view chunk) override;
    Verdict end_message() override;
    void abort_message() override;

    // The connection is closing: a late answer must not reach the session.
    void detach();

    // After STARTTLS: what the Received: header says about the session
    // (only when smtpd_tls_received_header asks for it).
    void set_tls(std::optional<cleanup::TlsSummary> tls) { tls_ = std::move(tls); }

private:
    struct Message;
    struct CreatedFile;
    void write_queue(std::string_view bytes);
    std::string incoming() const;
    void prepare_file();
    void file_prepared(int fd);
    void discard_prepared();
    Verdict open_message(const Envelope &env);
    void drop_message();

    const ReceiveContext &ctx_;
    std::function<void(std::function<void()>)> post_;
    std::function<void(Verdict)> resume_;
    ClientPolicy policy_;
    std::shared_ptr<bool> alive_;
    std::unique_ptr<Message> msg_;
    std::optional<cleanup::TlsSummary> tls_;
    // The next message's queue file, created on the worker pool from MAIL
    // FROM on (when Postfix's cleanup creates its file), so that the event
    // loop never waits for the file system to make one.  Kept across RSET;
    // removed if the connection ends without using it.
    struct Prepared {
        std::string id; // the file is incoming/<id>.tmp
        int fd = -1;    // open once created
        bool in_flight = false;
    } prepared_;
    const Envelope *waiting_env_ = nullptr; // DATA waits for prepared_
};

} // namespace ferry::smtpd
