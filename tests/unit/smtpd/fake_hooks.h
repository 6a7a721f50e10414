// fake_hooks.h - a scripted Hooks for session tests: records every call,
// answers from per-call settings, and can leave any answer pending.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "smtpd/hooks.h"
#include "smtpd/session.h"

namespace ferry::smtpd::test {

struct FakeHooks : Hooks {
    std::vector<std::string> calls;      // "sender:a@b", "rcpt:x", "begin", "end", "abort"
    std::string content;                 // message data of the current message
    std::vector<std::string> messages;   // completed messages
    std::vector<std::size_t> chunk_sizes;
    std::map<std::string, Reply> reject_rcpt;
    std::map<std::string, Reply> reject_sender;
    bool pend_sender = false, pend_rcpt = false, pend_begin = false, pend_end = false;
    Verdict end_answer = Verdict::queued("4ABCDE");
    int next_id = 1;

    Verdict check_sender(const Envelope &, std::string_view s) override
    {
        calls.push_back("sender:" + std::string(s));
        if (pend_sender)
            return Verdict::pending();
        auto it = reject_sender.find(std::string(s));
        return it == reject_sender.end() ? Verdict::accept() : Verdict::reject(it->second);
    }
    Verdict check_recipient(const Envelope &, const Recipient &r) override
    {
        calls.push_back("rcpt:" + r.address);
        if (pend_rcpt)
            return Verdict::pending();
        auto it = reject_rcpt.find(r.address);
        return it == reject_rcpt.end() ? Verdict::accept() : Verdict::reject(it->second);
    }
    Verdict begin_message(const Envelope &env) override
    {
        calls.push_back("begin");
        last_envelope = env;
        content.clear();
        return pend_begin ? Verdict::pending() : Verdict::accept();
    }
    void message_data(std::string_view chunk) override
    {
        content += chunk;
        chunk_sizes.push_back(chunk.size());
    }
    Verdict end_message() override
    {
        calls.push_back("end");
        messages.push_back(content);
        if (pend_end)
            return Verdict::pending();
        return end_answer;
    }
    void abort_message() override { calls.push_back("abort"); }

    Envelope last_envelope;
};

// Runs a session on byte strings.
struct Driver {
    FakeHooks hooks;
    SessionConfig cfg;
    std::unique_ptr<Session> session;

    Driver()
    {
        cfg.myhostname = "mx.example.test";
    }
    std::string start(ClientInfo client = {"client.example", "192.0.2.1"})
    {
        session = std::make_unique<Session>(cfg, client, hooks);
        session->start();
        return session->take_output();
    }
    std::string send(std::string_view bytes)
    {
        session->receive(bytes);
        return session->take_output();
    }
    // Starts and sends EHLO; returns nothing (the EHLO reply is dropped).
    void ehlo()
    {
        start();
        send("EHLO client.example\r\n");
    }
};

} // namespace ferry::smtpd::test
