// sendmail.cpp - Postfix's sendmail command line: a message on standard
// input becomes a file in the maildrop queue (pickup/maildrop.h), which the
// pickup service takes through cleanup into incoming.
//
// Not set-uid or set-gid: a user who may not write maildrop goes through
// the set-gid postdrop program (see maildrop.h, postdrop.cpp).  Modes: deliver (default,
// -bm), -bs (SMTP on standard input and output, sendmail_bs.cpp), -bp
// (mailq), -bi / -I (newaliases), -q (postqueue -f), -bv (no message is
// read or delivered: the queue manager verifies each recipient and mails
// the sender a "Mail Delivery Status Report").  -f/-r sender, -F full
// name, -t recipients from To:/Cc:/Bcc: (added to those on the command
// line; Bcc: is removed by cleanup), -i/-oi (a lone "." is not the end),
// -N and -R (DSN), -V (DSN envelope id), -B body type; -XV (VERP) is not
// supported yet and says so.  Other -o options and -X log files are
// accepted and ignored as Postfix does.  -v is accepted and ignored too,
// which Postfix does not do: its -v mails the sender a report of the
// first delivery attempt, and that report comes with Ferry's delivery
// status notifications of success.
#include "cmd/commands.h"
#include "cmd/queue_tool_scan.h"
#include "cmd/queue_tool_submit.h"
#include "config/config.h"
#include "log/msg.h"
#include "pickup/header_addresses.h"
#include "pickup/maildrop.h"
#include "pickup/pickup_file.h"

#include <getopt.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace ferry::cmd {
namespace {

constexpr int ex_tempfail = 75; // Postfix's sendmail exit for usage and errors

struct Options {
    std::string config_dir;
    std::optional<std::string> sender;
    std::string full_name;
    bool extract = false;
    bool dots = true;
    char mode = 'm';
    bool flush = false;              // -q, and -qR / -qI (see below)
    const char *flush_what = nullptr; // "flush site" for -qR, else "flush queue mode"
    bool queue_interval = false;      // -q30m: a daemon's option, nothing to do here
    std::vector<std::string> recipients;
    std::uint8_t notify = 0;
    queue::DsnRet ret = queue::DsnRet::unspecified;
    queue::BodyType body = queue::BodyType::unspecified;
    std::string envid;
};

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::uint8_t parse_notify(std::string_view value, bool &ok) {
    std::uint8_t bits = 0;
    ok = true;
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string_view word = value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
        if (ieq(word, "never")) bits |= queue::notify_never;
        else if (ieq(word, "success")) bits |= queue::notify_success;
        else if (ieq(word, "failure")) bits |= queue::notify_failure;
        else if (ieq(word, "delay")) bits |= queue::notify_delay;
        else ok = false;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if ((bits & queue::notify_never) && bits != queue::notify_never) ok = false;
    return ok ? bits : 0;
}

// -XV asks for variable envelope return paths, which Ferry's delivery
// does not make yet: said, not silently dropped.
void verp_ignored() { msg::warning("VERP (-XV) is not supported by Ferry yet -- ignored"); }

[[noreturn]] void usage() { msg::fatal_status(ex_tempfail, "usage: sendmail [options]"); }

Options parse(int argc, char **argv) {
    Options o;
    if (const char *name = std::getenv("NAME")) o.full_name = name;
    opterr = 0;
    optind = 1;
    int c;
    // "-q" alone has no argument; getopt would take the next word.
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "-q") == 0) {
            o.flush = true;
            argv[i] = const_cast<char *>("-qflush");
        }
    while ((c = ::getopt(argc, argv, ":B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:q:r:tvx")) != -1) {
        switch (c) {
        case 'B':
            if (ieq(optarg, "8BITMIME")) o.body = queue::BodyType::eight_bit_mime;
            else if (ieq(optarg, "7BIT")) o.body = queue::BodyType::seven_bit;
            else msg::fatal_status(ex_tempfail, "-B option needs 8BITMIME or 7BIT");
            break;
        case 'C': o.config_dir = optarg; break;
        case 'F': o.full_name = optarg; break;
        case 'I': o.mode = 'i'; break;
        case 'N': {
            bool ok = false;
            std::uint8_t bits = parse_notify(optarg, ok);
            if (ok) o.notify = bits;
            else msg::warning("bad -N option value -- ignored");
            break;
        }
        case 'R':
            if (ieq(optarg, "full")) o.ret = queue::DsnRet::full;
            else if (ieq(optarg, "hdrs")) o.ret = queue::DsnRet::hdrs;
            else msg::warning("bad -R option value -- ignored");
            break;
        case 'V':
            // -V envid; two characters are Postfix 2.2's VERP delimiters.
            if (std::strlen(optarg) == 2) {
                msg::warning("-V option is deprecated with Postfix 2.3; specify -XV instead");
                verp_ignored();
            } else {
                o.envid = optarg;
            }
            break;
        case 'X':
            if (optarg[0] == 'V') verp_ignored(); // otherwise a log file: ignored
            break;
        case 'b':
            switch (optarg[0]) {
            case 'm': case 's': case 'p': case 'i': case 'v': o.mode = optarg[0]; break;
            case 'd': case 'l': o.mode = 'd'; break;
            default: msg::fatal_status(ex_tempfail, "unsupported: -b" + std::string(optarg));
            }
            break;
        case 'f': case 'r': {
            std::string s = optarg;
            if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
            for (char ch : s)
                if (static_cast<unsigned char>(ch) <= ' ') {
                    msg::warning("-f option specified malformed sender: " + std::string(optarg));
                    break;
                }
            o.sender = s;
            break;
        }
        case 'o':
            if (optarg[0] == 'i') o.dots = false; // other -o options are ignored
            break;
        case 'i': o.dots = false; break;
        case 'q':
            // Postfix: -qRsite and -qIid flush one site's or one message's
            // mail through its flush service.  Ferry has none yet and
            // flushes the whole queue, which includes that mail.
            if (std::strcmp(optarg, "flush") == 0) {
                o.flush = true;
            } else if (std::isdigit(static_cast<unsigned char>(optarg[0]))) {
                o.queue_interval = true;
            } else if (optarg[0] == 'R' || optarg[0] == 'I') {
                if (optarg[1] == '\0')
                    msg::fatal_status(ex_tempfail, optarg[0] == 'R' ? "specify: -qRsitename" : "specify: -qIqueueid");
                o.flush = true;
                if (optarg[0] == 'R') o.flush_what = "flush site";
            } else {
                msg::fatal_status(ex_tempfail, std::string("-q") + optarg[0] + " is not implemented");
            }
            break;
        case 't': o.extract = true; break;
        case 'G': case 'L': case 'O': case 'U': case 'c': case 'e': case 'h': case 'm': case 'n':
        case 'p': case 'v': case 'x':
            break;
        case ':':
            std::fprintf(stderr, "%s: option requires an argument -- '%c'\n", msg::program().c_str(), optopt);
            usage();
        default:
            std::fprintf(stderr, "%s: invalid option -- '%c'\n", msg::program().c_str(), optopt);
            usage();
        }
    }
    for (int i = optind; i < argc; ++i)
        for (auto &a : pickup::header_addresses(argv[i])) o.recipients.push_back(a);
    return o;
}

// Standard input, one line at a time, without its LF (and CR before it).
class LineReader {
public:
    bool next(std::string &line) {
        line.clear();
        while (true) {
            auto nl = std::find(buf_.begin() + static_cast<long>(pos_), buf_.end(), '\n');
            if (nl != buf_.end()) {
                line.append(buf_.begin() + static_cast<long>(pos_), nl);
                pos_ = static_cast<size_t>(nl - buf_.begin()) + 1;
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return true;
            }
            line.append(buf_.begin() + static_cast<long>(pos_), buf_.end());
            buf_.clear();
            pos_ = 0;
            if (eof_) return !line.empty();
            char chunk[65536];
            ssize_t n = ::read(0, chunk, sizeof(chunk));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) error_ = errno;
            if (n <= 0) eof_ = true;
            else buf_.assign(chunk, chunk + n);
        }
    }
    int error() const { return error_; }

private:
    std::vector<char> buf_;
    size_t pos_ = 0;
    bool eof_ = false;
    int error_ = 0;
};

std::string quoted_phrase(const std::string &name) {
    bool plain = true;
    for (char ch : name)
        if (std::strchr("()<>[]:;@\\,.\"", ch)) plain = false;
    if (plain) return name;
    std::string out = "\"";
    for (char ch : name) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

int submit(const Options &o, const Config &cfg, const Submitter &who) {
    LineReader in;
    std::vector<std::string> headers; // whole header lines, continuations joined
    std::string line;
    // -bv collects no message (unless -t must find the recipients in it).
    const bool verify = o.mode == 'v';
    bool ended = verify && !o.extract, have_body_line = false;
    size_t header_bytes = 0;
    const size_t header_cap = 1 << 20;
    while (!ended && in.next(line)) {
        if (o.dots && line == ".") {
            ended = true;
            break;
        }
        if (line.empty()) {
            have_body_line = true;
            break;
        }
        header_bytes += line.size() + 1;
        bool continuation = (line[0] == ' ' || line[0] == '\t') && !headers.empty();
        if (header_bytes > header_cap || (!continuation && pickup::header_name(line).empty())) {
            have_body_line = true;
            break;
        }
        if (continuation) headers.back() += "\n" + line;
        else headers.push_back(line);
    }

    std::vector<std::string> recipients = o.recipients;
    bool have_from = false, resent = false;
    for (const auto &h : headers) {
        auto name = pickup::header_name(h);
        if (ieq(name, "From")) have_from = true;
        if (ieq(name, "Resent-To") || ieq(name, "Resent-Cc") || ieq(name, "Resent-Bcc")) resent = true;
    }
    if (o.extract) {
        bool found = false;
        for (const auto &h : headers) {
            auto name = pickup::header_name(h);
            std::string_view base = resent && name.size() > 7 ? name.substr(7) : name;
            if (resent && !(name.size() > 7 && ieq(name.substr(0, 7), "Resent-"))) continue;
            if (!ieq(base, "To") && !ieq(base, "Cc") && !ieq(base, "Bcc")) continue;
            for (auto &a : pickup::header_addresses(std::string_view(h).substr(name.size() + 1))) {
                recipients.push_back(a);
                found = true;
            }
        }
        if (!found && recipients.empty())
            msg::fatal_status(ex_tempfail, who.text() + ": No recipient addresses found in message header");
    }
    if (recipients.empty())
        msg::fatal_status(ex_tempfail, who.text() +
                                           ": Recipient addresses must be specified on the command line or via the -t option");

    queue::Envelope env;
    env.arrival_us = static_cast<std::uint64_t>(::time(nullptr)) * 1000000u;
    env.sender = o.sender ? *o.sender : who.name;
    for (const auto &r : recipients) env.recipients.push_back({r, "", o.notify, false});
    env.envid = o.envid;
    env.ret = o.ret;
    env.body = o.body;
    // The queue manager checks the recipients instead of delivering and
    // mails the sender a report (docs/queue-format.md, trace_flags).
    if (verify) env.other_attributes["trace_flags"] = "verify";
    auto limit = std::strtoull(cfg.get("message_size_limit").value_or("0").c_str(), nullptr, 10);
    int status = write_maildrop(cfg, who, env, [&](MaildropSink &out) {
        if (!o.full_name.empty() && !have_from && !env.sender.empty())
            out.line("From: " + quoted_phrase(o.full_name) + " <" +
                     pickup::qualify(env.sender, cfg.get("myorigin").value_or("")) + ">");
        for (const auto &h : headers) out.line(h);
        if (ended) return;
        if (have_body_line) out.line(line);
        while (in.next(line)) {
            if (o.dots && line == ".") break;
            out.line(line);
        }
        if (in.error()) out.fail(who.text() + ": error reading input: " + std::strerror(in.error()));
    }, limit);
    if (status == 0 && verify) {
        std::printf("Mail Delivery Status Report will be mailed to <%s>.\n", env.sender.c_str());
        std::fflush(stdout);
    }
    return status;
}

} // namespace

int sendmail_main(int argc, char **argv) {
    Options o = parse(argc, argv);
    std::string dir = config_directory(o.config_dir);
    // As Postfix: the modes that take no message take no recipients either.
    auto no_recipients = [&](const char *mode) {
        if (!o.recipients.empty()) msg::fatal_status(ex_tempfail, std::string(mode) + " requires no recipient");
    };
    if (o.queue_interval && o.mode != 'd') return 0;
    if (o.flush) {
        no_recipients(o.flush_what ? o.flush_what : "flush queue mode");
        std::vector<std::string> args = {"postqueue", "-c", dir, "-f"};
        std::vector<char *> av;
        for (auto &a : args) av.push_back(a.data());
        av.push_back(nullptr);
        return postqueue_main(static_cast<int>(args.size()), av.data());
    }
    if (o.mode == 'p') {
        no_recipients("display queue mode");
        return list_queue(dir, false);
    }
    if (o.mode == 'i') {
        no_recipients("alias initialization mode");
        if (Config::load(dir).get("alias_database").value_or("").empty()) return 0;
        std::vector<std::string> args = {"newaliases", "-c", dir};
        std::vector<char *> av;
        for (auto &a : args) av.push_back(a.data());
        av.push_back(nullptr);
        return alias_main(static_cast<int>(args.size()), av.data());
    }
    if (o.mode == 'd') msg::fatal_status(ex_tempfail, "-bd and -bl: use `postfix start` to run the mail system");
    Config cfg = Config::load(dir);
    Submitter who = Submitter::current(!o.sender.has_value() && o.mode != 's');
    if (o.mode == 's') {
        no_recipients("stand-alone mode");
        return smtp_on_stdin(cfg, who);
    }
    return submit(o, cfg, who);
}

} // namespace ferry::cmd
