// session.h - the SMTP server protocol engine for one connection, sans I/O.
//
// Bytes in (receive), reply bytes out (take_output), and calls to Hooks for
// policy and storage.  The session never touches a socket, a timer or a
// thread: the caller owns those and follows what each call returns:
//
//   read       write the output, read more, call receive()
//   wait       a hook said "pending": write the output, stop reading, and
//              call resume() with the hook's answer when it is known
//   start_tls  write the output ("220 2.0.0 Ready to start TLS"), do the TLS
//              handshake, then call tls_started(); input received after the
//              STARTTLS line has been thrown away (plaintext injection)
//   close      write the output, then close the connection
//
// Pipelining: every complete command already received is answered in one
// receive() call, and the caller writes all replies at once when it
// returns, which is when the input is drained.  Input after DATA, and the
// counted bytes after BDAT, are message content, never commands.  Input
// that came before it was allowed (before the greeting, after HELO, EHLO,
// DATA, NOOP or VRFY, or after any command when the client has not said
// EHLO) is logged once per network session (SessionConfig::
// check_pipelining) as Postfix's "improper command pipelining after CMD
// from host[addr]: <input>", and ends the session when
// smtpd_forbid_unauth_pipelining is set.
// Message content goes to Hooks::message_data in chunks as it arrives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smtpd/data_reader.h"
#include "smtpd/envelope.h"
#include "smtpd/hooks.h"
#include "smtpd/reply.h"
#include "smtpd/session_config.h"

namespace ferry::smtpd {

class Session {
public:
    enum class Next { read, wait, start_tls, close };

    Session(SessionConfig config, ClientInfo client, Hooks &hooks);
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
    ~Session();

    // Queues the 220 greeting.  `early` is what the client sent before it
    // (the caller reads what is already waiting on the socket): it is
    // logged as improper pipelining after CONNECT, then read as commands.
    Next start(std::string_view early = {});
    // Feeds bytes from the client and processes as much as they allow.
    Next receive(std::string_view bytes);
    // The answer of the hook that returned Verdict::pending.
    Next resume(Verdict answer);
    // The TLS handshake after STARTTLS succeeded: the client must EHLO again.
    Next tls_started();
    // The connection is gone: aborts a message in progress.  Idempotent.
    void disconnect();

    // Reply bytes to write, in order; empties the queue.
    std::string take_output();
    bool has_output() const { return !out_.empty(); }
    // Seconds to wait before writing the output (smtpd_error_sleep_time per
    // error reply once smtpd_soft_error_limit is reached); resets to 0.
    unsigned take_delay();

    // Postfix's command summary for the "disconnect from" line:
    // "ehlo=1 mail=1 rcpt=0/1 data=1 quit=1 commands=4/5" (ok/total, the
    // total only when some failed).
    std::string command_stats() const;

    Next next() const { return next_; }
    const Envelope &envelope() const { return env_; }
    unsigned error_count() const { return error_count_; }
    bool tls_active() const { return tls_active_; }
    bool in_transaction() const { return in_mail_; }
    // Postfix's "after X" of its timeout, lost-connection and too-many-errors
    // lines: the last command ("CONNECT" before any), with the content's
    // size while in DATA or BDAT ("DATA (19 bytes)").
    std::string where() const;
    // The client pipelined where it must not (Postfix's per-session flag,
    // what reject_unauth_pipelining tests).
    bool improper_pipelining() const { return improper_pipelining_; }

private:
    enum class Phase { command, data, bdat };
    enum class Pending { none, sender, recipient, vrfy, begin_data, begin_bdat, end_message, etrn };

    // Input loop (session.cpp).
    Next run();
    bool next_line(std::string &line);
    void reply(const Reply &r);
    void reply_not_an_error(const Reply &r); // the reply, as if it were a success
    void close_with(const Reply &r);
    void reset_transaction();
    void log_reject(std::string_view stage, const Reply &r, const std::string *recipient);

    // Commands (session_commands.cpp).
    void dispatch(std::string_view line);
    bool pipelining_violation(std::string_view after, std::string_view early);
    void cmd_helo(std::string_view args, bool extended);
    void cmd_mail(std::string_view args);
    void cmd_rcpt(std::string_view args);
    void cmd_rset(std::string_view args);
    void cmd_vrfy(std::string_view args);
    void cmd_etrn(std::string_view args);
    void cmd_starttls(std::string_view args);
    std::string ehlo_text() const;
    void finish_sender(const Verdict &v);
    void finish_recipient(const Verdict &v);
    void finish_vrfy(const Verdict &v);
    void finish_etrn(const Verdict &v);

    // Content (session_content.cpp).
    void cmd_data(std::string_view args);
    void cmd_bdat(std::string_view args);
    void finish_begin_data(const Verdict &v);
    void finish_begin_bdat(const Verdict &v);
    bool run_data();
    bool run_bdat();
    void deliver_content(std::string &chunk);
    void end_content();
    void finish_end_message(const Verdict &v);
    void bdat_chunk_done();

    // Command statistics: the command whose final reply is awaited.
    void count_command(std::string_view verb);
    void count_reply(const Reply &r);
    struct CommandCount {
        const char *name;
        unsigned ok = 0, total = 0;
    };
    std::vector<CommandCount> counts_;
    int counting_ = -1; // index into counts_, -1 when no command waits

    SessionConfig cfg_;
    ClientInfo client_;
    Hooks &hooks_;

    std::string in_;
    std::size_t in_pos_ = 0;
    bool skip_line_ = false; // discarding the rest of an overlong command line
    std::string out_;
    unsigned delay_ = 0;
    Next next_ = Next::read;

    Phase phase_ = Phase::command;
    Pending pending_ = Pending::none;
    bool helo_seen_ = false;
    bool tls_active_ = false;
    bool improper_pipelining_ = false;
    bool in_mail_ = false;
    bool message_open_ = false; // begin_message accepted, not ended or aborted
    unsigned error_count_ = 0;
    unsigned rcpt_overshoot_ = 0;      // "too many recipients" not counted as errors
    std::string where_ = "CONNECT";
    Envelope env_;

    // Held while a hook decides.
    Envelope pending_env_;
    Recipient pending_rcpt_;
    std::string pending_arg_;

    // DATA.
    DataReader reader_;
    std::string content_;           // decoded bytes not yet given to hooks
    std::uint64_t message_bytes_ = 0;
    bool size_exceeded_ = false;

    // BDAT.
    bool bdat_active_ = false;  // a non-LAST BDAT began a chunked transfer
    bool bdat_failed_ = false;  // discard further chunks until LAST or RSET
    bool bdat_discard_ = false; // the current chunk is read and thrown away
    bool bdat_last_ = false;
    std::uint64_t bdat_remaining_ = 0;
    std::uint64_t bdat_chunk_size_ = 0;
    bool bdat_ends_in_lf_ = false;
    bool data_rejected_pipelining_ = false;
};

} // namespace ferry::smtpd
