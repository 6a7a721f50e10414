// queue_tool_submit.cpp - see queue_tool_submit.h.
#include "cmd/queue_tool_submit.h"
#include "cmd/commands.h"

#include "config/config.h"
#include "log/msg.h"
#include "pickup/maildrop.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

namespace ferry::cmd {
namespace {

constexpr int ex_tempfail = 75;

class WriterSink final : public MaildropSink {
public:
    explicit WriterSink(pickup::MaildropWriter &w) : w_(w) {}
    void line(std::string_view text) override {
        std::string l(text);
        l += '\n';
        data(l);
    }
    void data(std::string_view text) override {
        if (!status_.ok() || !failure_.empty()) return;
        status_ = w_.append(text);
    }
    void fail(std::string text) override {
        if (failure_.empty()) failure_ = std::move(text);
    }
    const queue::Status &status() const { return status_; }
    const std::string &failure() const { return failure_; }

private:
    pickup::MaildropWriter &w_;
    queue::Status status_;
    std::string failure_;
};

} // namespace

Submitter Submitter::current(bool need_name) {
    Submitter s;
    s.uid = static_cast<unsigned long>(::getuid());
    if (const passwd *pw = ::getpwuid(::getuid())) s.name = pw->pw_name;
    if (s.name.empty()) {
        // The FAQ's words ("unable to find out your login name") and
        // Postfix 3.7's, so either finds this line.
        if (need_name)
            msg::fatal_status(ex_tempfail, "unable to find out your login name (no login name found for user ID " +
                                               std::to_string(s.uid) + "); specify the sender with -f");
        s.name = std::to_string(s.uid);
    }
    return s;
}

pickup::MaildropWriter::Postdrop postdrop_for(const Config &cfg) {
    std::string config = cfg.directory() == Config::builtin_directory() ? std::string() : cfg.directory();
    // No postdrop to run (program empty): maildrop is written directly or not at all.
    return {postdrop_program(), config};
}

int write_maildrop(const Config &cfg, const Submitter &who, const queue::Envelope &envelope,
                   const std::function<void(MaildropSink &)> &content, std::uint64_t size_limit) {
    std::string top = cfg.get("queue_directory").value_or("");
    pickup::MaildropWriter writer;
    auto postdrop = postdrop_for(cfg);
    auto st = writer.open(top, envelope, size_limit, &postdrop);
    if (!st.ok()) msg::fatal_status(ex_tempfail, who.text() + ": error writing queue file: " + st.text());
    WriterSink sink(writer);
    content(sink);
    if (!sink.failure().empty()) {
        writer.abort();
        msg::fatal_status(ex_tempfail, sink.failure());
    }
    st = sink.status();
    if (st.ok()) st = writer.finish();
    if (!st.ok()) {
        writer.abort();
        if (st.code() == queue::StatusCode::too_big)
            msg::fatal_status(ex_tempfail, who.text() + ": error writing queue file: message file too big");
        msg::fatal_status(ex_tempfail, who.text() + ": error writing queue file: " + st.text());
    }
    return 0;
}

} // namespace ferry::cmd
