// queue_hooks.cpp - see queue_hooks.h.
#include "smtpd/queue_hooks.h"

#include "cleanup/received.h"
#include "log/msg.h"
#include "queue/queue_dirs.h"
#include "queue/queue_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <utility>

namespace ferry::smtpd {

namespace {

Reply queue_write_error() { return Reply{451, "4.3.0", "Error: queue file write error"}; }

std::uint8_t queue_notify(unsigned n) {
    std::uint8_t out = 0;
    if (n & notify_success) out |= queue::notify_success;
    if (n & notify_failure) out |= queue::notify_failure;
    if (n & notify_delay) out |= queue::notify_delay;
    if (n & notify_never) out |= queue::notify_never;
    return out;
}

queue::Envelope queue_envelope(const Envelope &env, std::uint64_t arrival_us) {
    queue::Envelope q;
    q.arrival_us = arrival_us;
    q.sender = env.sender;
    for (const auto &r : env.recipients)
        q.recipients.push_back({r.address, r.orcpt, queue_notify(r.notify), false});
    q.envid = env.envid;
    q.ret = env.ret == Ret::full ? queue::DsnRet::full
          : env.ret == Ret::hdrs ? queue::DsnRet::hdrs
                                 : queue::DsnRet::unspecified;
    q.body = env.body == Body::eight_bit_mime ? queue::BodyType::eight_bit_mime
           : env.body == Body::seven_bit      ? queue::BodyType::seven_bit
                                              : queue::BodyType::unspecified;
    q.smtputf8 = env.smtputf8;
    q.client_name = env.client_name;
    q.client_address = env.client_addr;
    q.helo_name = env.helo_name;
    q.protocol = env.protocol;
    return q;
}

std::string client_text(const Envelope &env) { return env.client_name + "[" + env.client_addr + "]"; }

} // namespace

// One message between DATA and its verdict.
struct QueueHooks::Message {
    std::string id;
    queue::QueueFileWriter writer;
    std::unique_ptr<cleanup::Content> content;
    queue::Status failure; // the first write error
    bool pending_cr = false;
    std::string scratch; // write_queue's output, reused
    std::size_t recipients = 0;
    std::string sender;
    // The committer this message was announced to, until it is submitted
    // or dropped (see drop_message).
    queue::GroupCommitter *announced = nullptr;
};

// The message will not be submitted: so its committer need not wait for
// it.  (Not in Message's destructor: at shutdown the committer may be gone
// before the connections are.)
void QueueHooks::drop_message() {
    if (msg_ && msg_->announced) msg_->announced->abandoned();
    msg_.reset();
}

QueueHooks::QueueHooks(const ReceiveContext &ctx, std::function<void(std::function<void()>)> post,
                       std::function<void(Verdict)> resume, ClientPolicy policy)
    : ctx_(ctx), post_(std::move(post)), resume_(std::move(resume)), policy_(policy),
      alive_(std::make_shared<bool>(true)) {}

// A file the worker pool created for prepare_file(), on its way back to
// the event loop.  Whoever ends up without a taker (the connection closed
// first, or the loop stopped before the answer ran) removes it.
struct QueueHooks::CreatedFile {
    std::string path;
    int fd = -1;
    explicit CreatedFile(std::string p) : path(std::move(p)) {}
    CreatedFile(const CreatedFile &) = delete;
    CreatedFile &operator=(const CreatedFile &) = delete;
    ~CreatedFile() {
        if (fd < 0) return;
        ::close(fd);
        ::unlink(path.c_str());
    }
};

QueueHooks::~QueueHooks() { detach(); }

void QueueHooks::detach() {
    *alive_ = false;
    waiting_env_ = nullptr;
    discard_prepared();
}

std::string QueueHooks::incoming() const {
    return ctx_.queue_directory + "/" + std::string(queue::incoming_dir);
}

void QueueHooks::prepare_file() {
    if (!ctx_.run_blocking || prepared_.in_flight || prepared_.fd >= 0) return;
    prepared_.id = queue::new_queue_id();
    prepared_.in_flight = true;
    auto file = std::make_shared<CreatedFile>(queue::join_path(incoming(), prepared_.id + ".tmp"));
    const auto &run = ctx_.run_file_job ? ctx_.run_file_job : ctx_.run_blocking;
    run([this, alive = alive_, post = post_, file] {
        file->fd = ::open(file->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        post([this, alive, file] {
            if (*alive) file_prepared(std::exchange(file->fd, -1));
        });
    });
}

// On the event loop.  fd -1: the file could not be made; begin_message
// then creates it itself, and reports the cause if that fails too.
void QueueHooks::file_prepared(int fd) {
    prepared_.in_flight = false;
    prepared_.fd = fd;
    if (fd < 0) prepared_.id.clear();
    if (const Envelope *env = std::exchange(waiting_env_, nullptr)) resume_(open_message(*env));
}

void QueueHooks::discard_prepared() {
    if (prepared_.fd < 0) return;
    ::close(prepared_.fd);
    ::unlink(queue::join_path(incoming(), prepared_.id + ".tmp").c_str());
    prepared_.fd = -1;
    prepared_.id.clear();
}

Verdict QueueHooks::check_sender(const Envelope &env, std::string_view) {
    if (policy_.rate_limited && ctx_.anvil) {
        if (unsigned n = ctx_.anvil->message(env.client_addr)) {
            msg::warning("Message delivery request rate limit exceeded: " + std::to_string(n) + " from " +
                         client_text(env) + " for service " + ctx_.service_name);
            return Verdict::reject(Reply{450, "4.7.1", "Error: too much mail from " + env.client_addr});
        }
    }
    // Postfix checks the queue's free space when the client says MAIL FROM.
    auto space = queue::check_queue_space(ctx_.queue_directory, ctx_.queue_minfree,
                                          ctx_.message_size_limit, env.size.value_or(0));
    if (!space.status.ok()) msg::warning(space.status.text());
    if (!space.status.ok() || !space.accept) {
        msg::warning("not enough free space in mail queue: " + std::to_string(space.free_bytes) +
                     " bytes < 1.5*message size limit");
        return Verdict::reject(Reply{452, "4.3.1", "Insufficient system storage"});
    }
    prepare_file();
    return Verdict::accept();
}

Verdict QueueHooks::check_recipient(const Envelope &env, const Recipient &rcpt) {
    if (policy_.rate_limited && ctx_.anvil) {
        if (unsigned n = ctx_.anvil->recipient(env.client_addr)) {
            msg::warning("Recipient address rate limit exceeded: " + std::to_string(n) + " from " +
                         client_text(env) + " for service " + ctx_.service_name);
            return Verdict::reject(Reply{450, "4.7.1", "Error: too many recipients from " + env.client_addr});
        }
    }
    RecipientRequest req{env.client_name, env.client_addr, rcpt.address};
    auto decide = [](const std::optional<Reply> &r) { return r ? Verdict::reject(*r) : Verdict::accept(); };
    if (!ctx_.recipients->may_block() || !ctx_.run_blocking) return decide(ctx_.recipients->check(req));
    // A table that may block (SQL, LDAP) is asked on the worker pool.
    // The job may outlive this connection: it holds copies, not `this`,
    // until it is back on the event loop and `alive` says we still exist.
    auto alive = alive_;
    const RecipientCheck *check = ctx_.recipients;
    ctx_.run_blocking([this, alive, post = post_, check, req, decide] {
        Verdict v = decide(check->check(req));
        post([this, alive, v] {
            if (*alive) resume_(v);
        });
    });
    return Verdict::pending();
}

Verdict QueueHooks::begin_message(const Envelope &env) {
    // The file is still being created: "354" waits for it.
    if (prepared_.in_flight) {
        waiting_env_ = &env;
        return Verdict::pending();
    }
    return open_message(env);
}

Verdict QueueHooks::open_message(const Envelope &env) {
    auto arrival = std::chrono::system_clock::now();
    auto arrival_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(arrival.time_since_epoch()).count());
    msg_ = std::make_unique<Message>();
    msg_->recipients = env.recipients.size();
    msg_->sender = env.sender;
    std::string dir = incoming();
    // The size limit is cleanup's (it names the reply); the writer has none.
    queue::Status opened;
    if (prepared_.fd >= 0) {
        msg_->id = std::exchange(prepared_.id, {});
        opened = msg_->writer.open_created(std::exchange(prepared_.fd, -1), dir, msg_->id,
                                           queue_envelope(env, arrival_us), 0);
        if (!opened.ok()) ::unlink(queue::join_path(dir, msg_->id + ".tmp").c_str());
    } else {
        msg_->id = queue::new_queue_id();
        opened = msg_->writer.open(dir, msg_->id, queue_envelope(env, arrival_us), 0);
    }
    if (!opened.ok()) {
        msg::warning(opened.text());
        msg_.reset();
        return Verdict::reject(queue_write_error());
    }
    msg::info(msg_->id + ": client=" + client_text(env));
    // The committer may hold a batch a moment for this message.
    ctx_.committer->announce();
    msg_->announced = ctx_.committer;

    cleanup::ReceivedInputs in;
    in.helo_name = env.helo_name;
    in.client_name = env.client_name;
    in.client_addr = env.client_addr.find(':') != std::string::npos ? "IPv6:" + env.client_addr : env.client_addr;
    in.myhostname = ctx_.myhostname;
    in.mail_name = ctx_.mail_name;
    in.protocol = env.protocol;
    in.queue_id = msg_->id;
    for (const auto &r : env.recipients) in.recipients.push_back(r.address);
    in.arrival = std::chrono::system_clock::to_time_t(arrival);
    in.tls = tls_;

    cleanup::ContentOptions o;
    o.queue_id = msg_->id;
    o.myhostname = ctx_.myhostname;
    o.arrival = in.arrival;
    o.sender = env.sender;
    o.received = cleanup::received_header(in);
    o.hopcount_limit = ctx_.hopcount_limit;
    o.header_size_limit = ctx_.header_size_limit;
    o.message_size_limit = static_cast<long>(ctx_.message_size_limit);
    o.size_offset = static_cast<long>(msg_->writer.file_size());
    o.rewrite_allowed = policy_.rewrite_allowed;
    o.always_add_missing_headers = ctx_.always_add_missing_headers;
    o.undisclosed_recipients_header = ctx_.undisclosed_recipients_header;
    msg_->content = std::make_unique<cleanup::Content>(o, [this](std::string_view b) { write_queue(b); });
    return Verdict::accept();
}

// Cleanup's output has CRLF line ends; the queue file keeps LF (see
// docs/queue-format.md).  A CR at the end of one piece waits for the next.
// Text between CRs is copied in spans, not byte by byte.
void QueueHooks::write_queue(std::string_view bytes) {
    Message &m = *msg_;
    if (!m.failure.ok() || bytes.empty()) return;
    std::string &out = m.scratch;
    out.clear();
    if (m.pending_cr) {
        m.pending_cr = false;
        if (bytes.front() != '\n') out += '\r';
    }
    while (!bytes.empty()) {
        auto cr = bytes.find('\r');
        if (cr == std::string_view::npos) {
            out.append(bytes);
            break;
        }
        out.append(bytes.substr(0, cr));
        if (cr + 1 == bytes.size()) {
            m.pending_cr = true;
            break;
        }
        if (bytes[cr + 1] != '\n') out += '\r'; // a CR of its own is content
        bytes.remove_prefix(cr + 1);
    }
    auto st = m.writer.append(out);
    if (!st.ok()) m.failure = st;
}

void QueueHooks::message_data(std::string_view chunk) {
    if (msg_ && !msg_->content->rejected()) msg_->content->write(chunk);
}

Verdict QueueHooks::end_message() {
    if (!msg_) return Verdict::reject(queue_write_error());
    auto outcome = msg_->content->finish();
    for (const auto &line : msg_->content->log_lines()) {
        if (line.warning) msg::warning(line.text);
        else msg::info(line.text);
    }
    if (msg_->pending_cr) {
        msg_->pending_cr = false;
        write_queue("\r");
    }
    if (!outcome.ok()) {
        msg_->writer.abort();
        drop_message();
        return Verdict::reject(Reply{outcome.code, outcome.dsn, outcome.text});
    }
    if (!msg_->failure.ok()) {
        msg::warning(msg_->id + ": " + msg_->failure.text());
        msg_->writer.abort();
        drop_message();
        return Verdict::reject(queue_write_error());
    }
    queue::SealedFile sealed;
    auto st = msg_->writer.seal(sealed);
    if (!st.ok()) {
        msg::warning(msg_->id + ": " + st.text());
        drop_message();
        return Verdict::reject(queue_write_error());
    }
    std::string id = msg_->id;
    std::string summary = id + ": from=<" + msg_->sender + ">, size=" +
                          std::to_string(msg_->writer.content_size()) + ", nrcpt=" +
                          std::to_string(msg_->recipients) + " (queue incoming)";
    bool announced = std::exchange(msg_->announced, nullptr) != nullptr;
    msg_.reset();
    auto alive = alive_;
    // The answer waits until the file and its directory are durable.
    ctx_.committer->submit(std::move(sealed), [this, alive, post = post_, id, summary](const queue::Status &s) {
        post([this, alive, id, summary, s] {
            if (s.ok()) msg::info(summary);
            else msg::warning(id + ": " + s.text());
            if (*alive) resume_(s.ok() ? Verdict::queued(id) : Verdict::reject(queue_write_error()));
        });
    }, announced);
    return Verdict::pending();
}

void QueueHooks::abort_message() {
    if (msg_) msg_->writer.abort();
    drop_message();
}

} // namespace ferry::smtpd
