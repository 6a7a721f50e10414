// pickup_file.cpp - see pickup_file.h.
#include "pickup/pickup_file.h"

#include "cleanup/received.h"
#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"
#include "queue/queue_file_writer.h"
#include "queue/queue_id.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace ferry::pickup {
namespace {

using Kind = PickupResult::Kind;

void warn(PickupResult &r, std::string text) { r.log.push_back({true, std::move(text)}); }
void info(PickupResult &r, std::string text) { r.log.push_back({false, std::move(text)}); }

// Moves maildrop/<name> to <queue>/<name>, never over an existing file.
void move_to(const PickupContext &ctx, const std::string &name, std::string_view queue, PickupResult &r) {
    std::string from = queue::queue_file_path(ctx.queue_directory, queue::maildrop_dir, name);
    std::string to = queue::queue_file_path(ctx.queue_directory, queue, name);
    auto st = queue::move_durably(from, to, queue::join_path(ctx.queue_directory, queue));
    if (!st.ok()) warn(r, st.text());
}

// Content through cleanup to the writer: maildrop content has LF line
// ends, cleanup reads CRLF and writes CRLF, the queue file keeps LF.
class Pipeline {
public:
    Pipeline(cleanup::ContentOptions options, queue::QueueFileWriter &writer)
        : writer_(writer), content_(std::move(options), [this](std::string_view b) { sink(b); }) {}

    void write(std::string_view lf_text) {
        std::string crlf;
        crlf.reserve(lf_text.size() + lf_text.size() / 32);
        for (char c : lf_text) {
            if (c == '\n' && !last_cr_) crlf += '\r';
            crlf += c;
            last_cr_ = c == '\r';
        }
        content_.write(crlf);
    }

    cleanup::Outcome finish() {
        auto outcome = content_.finish();
        if (pending_cr_) {
            pending_cr_ = false;
            put("\r");
        }
        return outcome;
    }

    const cleanup::Content &content() const { return content_; }
    const queue::Status &failure() const { return failure_; }

private:
    void sink(std::string_view bytes) {
        std::string out;
        out.reserve(bytes.size());
        for (char c : bytes) {
            if (pending_cr_) {
                pending_cr_ = false;
                if (c != '\n') out += '\r';
            }
            if (c == '\r') pending_cr_ = true;
            else out += c;
        }
        put(out);
    }
    void put(std::string_view out) {
        if (!failure_.ok()) return;
        auto st = writer_.append(out);
        if (!st.ok()) failure_ = st;
    }

    // Content writes the Received: header from its constructor, so
    // everything the sink uses is declared (initialized) before it.
    queue::QueueFileWriter &writer_;
    queue::Status failure_;
    bool last_cr_ = false, pending_cr_ = false;
    cleanup::Content content_;
};

std::string local_received(const PickupContext &ctx, unsigned long uid, const std::string &id,
                           std::time_t when) {
    return "Received: by " + ctx.myhostname + " (" + ctx.mail_name + ", from userid " +
           std::to_string(uid) + ")\r\n\tid " + id + "; " + cleanup::rfc5322_date(when) + "\r\n";
}

} // namespace

std::string qualify(const std::string &address, const std::string &origin) {
    if (address.empty() || origin.empty() || address.find('@') != std::string::npos) return address;
    return address + "@" + origin;
}

PickupResult pickup_file(const PickupContext &ctx, const std::string &name) {
    PickupResult r;
    if (!queue::is_valid_queue_id(name)) return r;
    std::string path = queue::queue_file_path(ctx.queue_directory, queue::maildrop_dir, name);
    std::string shown = std::string(queue::maildrop_dir) + "/" + name;
    struct stat before {};
    if (::lstat(path.c_str(), &before) != 0) {
        if (errno != ENOENT) {
            warn(r, queue::io_error_text("lstat", path, errno));
            r.kind = Kind::retry;
        }
        return r;
    }
    if (!S_ISREG(before.st_mode)) {
        warn(r, shown + ": not a regular file: moved to the corrupt queue");
        move_to(ctx, name, queue::corrupt_dir, r);
        r.kind = Kind::corrupt;
        return r;
    }
    queue::QueueFileReader reader;
    auto st = reader.open(path);
    struct stat after {};
    if (st.ok() && (::fstat(reader.fd(), &after) != 0 || after.st_ino != before.st_ino ||
                    after.st_dev != before.st_dev)) {
        // Replaced between lstat and open: look again next time.
        r.kind = Kind::retry;
        return r;
    }
    if (!st.ok() && st.code() == queue::StatusCode::io_error) {
        if (errno == ENOENT) return r;
        warn(r, st.text());
        r.kind = Kind::retry;
        return r;
    }
    if (st.ok() && reader.envelope().recipients.empty())
        st = queue::Status(queue::StatusCode::corrupt, "queue file " + path + ": corrupt: no recipients");
    if (!st.ok()) {
        warn(r, st.text() + ": moved to the corrupt queue");
        reader.close();
        move_to(ctx, name, queue::corrupt_dir, r);
        r.kind = Kind::corrupt;
        return r;
    }

    const queue::Envelope &dropped = reader.envelope();
    auto uid = static_cast<unsigned long>(before.st_uid);
    // Only the mail system's own files (postsuper -r) keep their trace.
    bool requeued = (!dropped.protocol.empty() || dropped.other_attributes.count("submitter_uid")) &&
                    before.st_uid == ::geteuid();
    auto now = std::chrono::system_clock::now();
    auto now_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count());

    queue::Envelope env;
    env.arrival_us = requeued && dropped.arrival_us ? dropped.arrival_us : now_us;
    env.sender = qualify(dropped.sender, ctx.myorigin);
    for (const auto &rc : dropped.recipients)
        env.recipients.push_back({qualify(rc.address, ctx.myorigin), rc.orcpt, rc.notify,
                                  requeued && rc.done});
    env.envid = dropped.envid;
    env.ret = dropped.ret;
    env.smtputf8 = dropped.smtputf8;
    env.body = dropped.body;
    if (requeued) {
        env.client_name = dropped.client_name;
        env.client_address = dropped.client_address;
        env.helo_name = dropped.helo_name;
        env.protocol = dropped.protocol;
        env.other_attributes = dropped.other_attributes;
    } else {
        env.other_attributes["submitter_uid"] = std::to_string(uid);
        // sendmail -bv: any user may ask for a verification report.
        auto flags = dropped.other_attributes.find("trace_flags");
        if (flags != dropped.other_attributes.end() && flags->second == "verify")
            env.other_attributes["trace_flags"] = "verify";
    }

    std::string id = queue::new_queue_id();
    std::string incoming = queue::join_path(ctx.queue_directory, queue::incoming_dir);
    queue::QueueFileWriter writer;
    st = writer.open(incoming, id, env, 0);
    if (!st.ok()) {
        warn(r, st.text());
        r.kind = Kind::retry;
        return r;
    }
    std::time_t arrival = static_cast<std::time_t>(env.arrival_us / 1000000);
    info(r, id + ": uid=" + std::to_string(uid) + " from=<" + env.sender + ">" +
                (requeued ? " orig_id=" + name : ""));

    cleanup::ContentOptions o;
    o.queue_id = id;
    o.myhostname = ctx.myhostname;
    o.arrival = arrival;
    o.sender = env.sender;
    if (!requeued) o.received = local_received(ctx, uid, id, arrival);
    o.hopcount_limit = ctx.hopcount_limit;
    o.header_size_limit = ctx.header_size_limit;
    o.message_size_limit = ctx.message_size_limit;
    o.size_offset = static_cast<long>(writer.file_size());
    o.rewrite_allowed = true; // local submissions are always rewritten
    o.always_add_missing_headers = ctx.always_add_missing_headers;
    o.undisclosed_recipients_header = ctx.undisclosed_recipients_header;
    Pipeline pipe(o, writer);

    std::string buf(64 * 1024, '\0');
    std::uint64_t offset = reader.content_offset(), left = reader.content_size();
    while (left > 0 && !pipe.content().rejected()) {
        size_t want = left < buf.size() ? static_cast<size_t>(left) : buf.size();
        ssize_t n = ::pread(reader.fd(), buf.data(), want, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            warn(r, n < 0 ? queue::io_error_text("read", path, errno) : "queue file " + path + ": truncated");
            writer.abort();
            r.kind = Kind::retry;
            return r;
        }
        pipe.write(std::string_view(buf.data(), static_cast<size_t>(n)));
        offset += static_cast<std::uint64_t>(n);
        left -= static_cast<std::uint64_t>(n);
    }
    auto outcome = pipe.finish();
    for (const auto &line : pipe.content().log_lines()) r.log.push_back(line);
    if (!outcome.ok()) {
        writer.abort();
        warn(r, shown + ": " + outcome.reply() + ": moved to the hold queue");
        reader.close();
        move_to(ctx, name, queue::hold_dir, r);
        r.kind = Kind::held;
        return r;
    }
    if (pipe.failure().ok() && ctx.log_before_commit) ctx.log_before_commit(r.log);
    if (!pipe.failure().ok() || !(st = writer.finish()).ok()) {
        warn(r, id + ": " + (pipe.failure().ok() ? st.text() : pipe.failure().text()));
        writer.abort();
        r.kind = Kind::retry;
        return r;
    }
    info(r, id + ": from=<" + env.sender + ">, size=" + std::to_string(writer.content_size()) +
                ", nrcpt=" + std::to_string(env.recipients.size()) + " (queue incoming)");
    reader.close();
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        warn(r, queue::io_error_text("remove", path, errno));
    r.kind = Kind::queued;
    r.queue_id = id;
    return r;
}

} // namespace ferry::pickup
