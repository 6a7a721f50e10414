// notifier.cpp - see notifier.h.
#include "qmgr/notifier.h"

#include "config/values.h"
#include "log/msg.h"
#include "qmgr/notice_queue.h"

#include <cstdlib>
#include <ctime>

namespace ferry::qmgr {

NotifierSettings NotifierSettings::from(const std::string &queue_directory,
                                        const std::function<std::string(const char *)> &get) {
    NotifierSettings s;
    s.queue_directory = queue_directory;
    s.myhostname = get("myhostname");
    s.myorigin = get("myorigin");
    s.mail_name = get("mail_name");
    if (s.mail_name.empty()) s.mail_name = "Postfix";
    s.bounce_size_limit = std::strtoull(get("bounce_size_limit").c_str(), nullptr, 10);
    const std::string classes = get("notify_classes"); // the items point into it
    for (auto item : config::list_items(classes))
        if (item == "bounce" || item == "2bounce") s.notify_double_bounce = true;
    s.double_bounce_sender = get("double_bounce_sender");
    s.double_bounce_recipient = get("2bounce_notice_recipient");
    return s;
}

std::string Notifier::qualify(const std::string &address) const {
    if (address.empty() || address.find('@') != std::string::npos) return address;
    return address + "@" + (s_.myorigin.empty() ? s_.myhostname : s_.myorigin);
}

ReportInput Notifier::input(const queue::QueueFileReader &r, ReportKind kind, const std::string &to,
                            const std::string &original) const {
    ReportInput in;
    in.kind = kind;
    in.myhostname = s_.myhostname;
    in.myorigin = s_.myorigin;
    in.mail_name = s_.mail_name;
    in.queue_id = r.queue_id();
    in.arrival_us = r.envelope().arrival_us;
    in.sender = r.envelope().sender;
    in.to = to;
    in.envid = r.envelope().envid;
    in.ret = r.envelope().ret;
    in.original = original;
    in.eight_bit = is_eight_bit(r.envelope(), original);
    in.bounce_size_limit = s_.bounce_size_limit;
    in.now = std::time(nullptr);
    return in;
}

bool Notifier::queue_report(ReportInput in, const std::string &sender, const std::string &what) {
    std::string new_id, message_id;
    auto st = queue_notice(s_.queue_directory, {sender, in.to, in.eight_bit}, [&](const std::string &id) {
        in.report_id = id;
        std::string text = build_report(in);
        size_t at = text.find("\nMessage-Id: ");
        if (at != std::string::npos) message_id = text.substr(at + 13, text.find('\n', at + 1) - at - 13);
        return text;
    }, new_id);
    if (!st.ok()) {
        msg::warning(in.queue_id + ": " + what + " not queued: " + st.text());
        return false;
    }
    msg::info(in.queue_id + ": " + what + ": " + new_id);
    msg::info(new_id + ": message-id=" + message_id);
    return true;
}

bool Notifier::send_bounce(const queue::QueueFileReader &r, const std::vector<DeliveryAnswer> &bounced) {
    const auto &env = r.envelope();
    std::vector<ReportRecipient> listed;
    for (const auto &b : bounced) {
        const auto &rc = env.recipients[b.index];
        if (!wants_failure_notice(rc)) continue;
        listed.push_back({rc.address, "", rc.orcpt, "failed", b.dsn, b.text});
    }
    if (listed.empty()) return true;
    auto route = route_failure_notice(env.sender, s_.notify_double_bounce, s_.double_bounce_sender,
                                      s_.double_bounce_recipient);
    if (route.warn_discarded) msg::warning(r.queue_id() + ": undeliverable postmaster notification discarded");
    if (route.to == NoticeRoute::To::nobody) return true;
    std::string original;
    // One byte over the limit is enough to know the message is too big.
    auto failed = read_content(r, s_.bounce_size_limit ? s_.bounce_size_limit + 1 : 0, original);
    if (!failed.empty()) msg::warning(failed + ": the notice shows what could be read");
    auto in = input(r, ReportKind::failure, qualify(route.recipient), original);
    in.postmaster_copy = route.to == NoticeRoute::To::postmaster;
    in.recipients = std::move(listed);
    return queue_report(std::move(in), qualify(route.sender), route.log_text);
}

bool Notifier::send_verify_report(const queue::QueueFileReader &r, std::vector<ReportRecipient> listed) {
    const auto &env = r.envelope();
    if (env.sender.empty()) {
        msg::warning(r.queue_id() + ": delivery status report for the null sender discarded");
        return true;
    }
    if (listed.empty()) return true;
    std::string original;
    auto failed = read_content(r, s_.bounce_size_limit ? s_.bounce_size_limit + 1 : 0, original);
    if (!failed.empty()) msg::warning(failed);
    auto in = input(r, ReportKind::verify, env.sender, original);
    in.recipients = std::move(listed);
    return queue_report(std::move(in), "", "sender delivery status notification");
}

} // namespace ferry::qmgr
