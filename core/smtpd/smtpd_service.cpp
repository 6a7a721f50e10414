// smtpd_service.cpp - see smtpd_service.h.
#include "smtpd/smtpd_service.h"

#include "config/config.h"
#include "config/values.h"
#include "log/msg.h"
#include "maps/catalog.h"
#include "master/privileges.h"
#include "queue/queue_dirs.h"
#include "smtpd/queue_hooks.h"
#include "smtpd/session.h"
#include "smtpd/reverse_names.h"
#include "smtpd/tls_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace ferry::smtpd {
namespace {

std::uint64_t number(const Config &cfg, const config::MasterService &row, const char *name, std::uint64_t fallback) {
    auto v = cfg.service_get(row, name);
    if (!v || v->empty()) return fallback;
    return std::strtoull(v->c_str(), nullptr, 10);
}

bool yes(const Config &cfg, const config::MasterService &row, const char *name) {
    auto v = cfg.service_get(row, name).value_or("no");
    return v == "yes" || v == "YES" || v == "Yes";
}

int seconds(const Config &cfg, const config::MasterService &row, const char *name, int fallback) {
    return config::time_seconds(cfg.service_get(row, name).value_or(""), fallback);
}

// The client's reverse name.  (Forward confirmation comes with the DNS
// resolver.)  Runs on a worker thread: a slow resolver must not stall the
// event loop.
ReverseName reverse_name(const tcp::endpoint &peer) {
    char host[NI_MAXHOST];
    int rc = ::getnameinfo(peer.data(), static_cast<socklen_t>(peer.size()), host, sizeof(host), nullptr, 0,
                           NI_NAMEREQD);
    if (rc == 0) return {ReverseName::Kind::name, host};
    if (rc == EAI_AGAIN || rc == EAI_MEMORY || rc == EAI_SYSTEM) return {ReverseName::Kind::temporary_failure, ""};
    return {ReverseName::Kind::no_name, ""};
}

std::string printable(const asio::ip::address &a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
    return a.to_string();
}

// A client connection, plaintext until STARTTLS and TLS after it.
class Link {
public:
    explicit Link(tcp::socket sock) : sock_(std::move(sock)) {}

    tcp::socket &socket() { return sock_; }
    SSL *native() { return tls_ ? tls_->native_handle() : nullptr; }

    // Plaintext sessions wait for readability first and only then read
    // into `shared`, so an idle session holds no read buffer: `shared` is
    // one buffer for every connection of the (single-threaded) loop, and
    // the caller consumes what it got before its next co_await.  A TLS
    // session keeps a buffer of its own, since its read stays pending.
    asio::awaitable<std::tuple<boost::system::error_code, std::string_view>> read_some(std::string &shared) {
        if (tls_) {
            auto [ec, n] = co_await tls_->async_read_some(asio::buffer(tls_buffer_),
                                                          asio::as_tuple(asio::use_awaitable));
            co_return std::tuple{ec, std::string_view(tls_buffer_.data(), n)};
        }
        auto [ec] = co_await sock_.async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return std::tuple{ec, std::string_view{}};
        std::size_t n = sock_.read_some(asio::buffer(shared), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
        co_return std::tuple{ec, std::string_view(shared.data(), ec ? 0 : n)};
    }

    asio::awaitable<boost::system::error_code> write(std::string_view data) {
        auto b = asio::buffer(data.data(), data.size());
        if (tls_) {
            auto [ec, n] = co_await asio::async_write(*tls_, b, asio::as_tuple(asio::use_awaitable));
            (void)n;
            co_return ec;
        }
        auto [ec, n] = co_await asio::async_write(sock_, b, asio::as_tuple(asio::use_awaitable));
        (void)n;
        co_return ec;
    }

    asio::awaitable<boost::system::error_code> start_tls(asio::ssl::context &ctx) {
        tls_buffer_.assign(16384, '\0');
        tls_.emplace(sock_, ctx);
        auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                                   asio::as_tuple(asio::use_awaitable));
        co_return ec;
    }

private:
    tcp::socket sock_;
    std::optional<asio::ssl::stream<tcp::socket &>> tls_;
    std::string tls_buffer_;
};

class Service {
public:
    Service(const Config &cfg, const config::MasterService &row)
        : cfg_(cfg), row_(row), pool_(2), catalog_(catalog_options(cfg)),
          recipients_(RecipientCheck::from_config(cfg, catalog_, &row)), signals_(ioc_, SIGTERM, SIGUSR1) {
        if (std::string why = recipients_.config_error(); !why.empty()) msg::fatal(why);
        session_.myhostname = get("myhostname");
        session_.banner = get("smtpd_banner");
        session_.message_size_limit = number(cfg, row, "message_size_limit", 10240000);
        session_.recipient_limit = static_cast<unsigned>(number(cfg, row, "smtpd_recipient_limit", 1000));
        session_.recipient_overshoot_limit =
            static_cast<unsigned>(number(cfg, row, "smtpd_recipient_overshoot_limit", 1000));
        session_.helo_required = yes(cfg, row, "smtpd_helo_required");
        session_.soft_error_limit = static_cast<unsigned>(number(cfg, row, "smtpd_soft_error_limit", 10));
        session_.hard_error_limit = static_cast<unsigned>(number(cfg, row, "smtpd_hard_error_limit", 20));
        session_.error_sleep_seconds = static_cast<unsigned>(seconds(cfg, row, "smtpd_error_sleep_time", 1));
        session_.line_length_limit = number(cfg, row, "line_length_limit", 2048);
        session_.disable_vrfy_command = yes(cfg, row, "disable_vrfy_command");
        // Postfix 3.9's smtpd_forbid_bare_newline: only "reject" changes
        // anything here, because Ferry always requires <CR><LF>.<CR><LF>
        // to end DATA (what 3.9's default, "normal", does).
        if (get("smtpd_forbid_bare_newline") == "reject") session_.forbid_bare_newline = BareNewline::reject;
        tls_ = make_tls_server(cfg, row);
        session_.tls_available = tls_.context != nullptr;
        session_.tls_required = tls_.required;
        session_.check_pipelining = true;
        session_.forbid_unauth_pipelining = yes(cfg, row, "smtpd_forbid_unauth_pipelining");
        timeout_ = std::chrono::seconds(seconds(cfg, row, "smtpd_timeout", 300));

        receive_.myhostname = session_.myhostname;
        receive_.mail_name = get("mail_name");
        receive_.queue_directory = get("queue_directory");
        receive_.queue_minfree = number(cfg, row, "queue_minfree", 0);
        receive_.message_size_limit = session_.message_size_limit;
        receive_.hopcount_limit = static_cast<long>(number(cfg, row, "hopcount_limit", 50));
        receive_.header_size_limit = static_cast<long>(number(cfg, row, "header_size_limit", 102400));
        receive_.always_add_missing_headers = yes(cfg, row, "always_add_missing_headers");
        receive_.undisclosed_recipients_header = get("undisclosed_recipients_header");
        receive_.recipients = &recipients_;
        receive_.committer = &committer_;
        receive_.run_blocking = [this](std::function<void()> job) { asio::post(pool_, std::move(job)); };
        receive_.run_file_job = [this](std::function<void()> job) { asio::post(file_jobs_, std::move(job)); };
        rewrite_clients_ = get("local_header_rewrite_clients");
        AnvilLimits limits;
        limits.connection_count = static_cast<unsigned>(number(cfg, row, "smtpd_client_connection_count_limit", 50));
        limits.connection_rate = static_cast<unsigned>(number(cfg, row, "smtpd_client_connection_rate_limit", 0));
        limits.message_rate = static_cast<unsigned>(number(cfg, row, "smtpd_client_message_rate_limit", 0));
        limits.recipient_rate = static_cast<unsigned>(number(cfg, row, "smtpd_client_recipient_rate_limit", 0));
        limits.rate_unit = std::chrono::seconds(seconds(cfg, row, "anvil_rate_time_unit", 60));
        anvil_ = std::make_unique<Anvil>(limits);
        receive_.anvil = anvil_.get();
        receive_.service_name = row.service;
        limit_exceptions_ = std::make_unique<MatchList>(
            MatchList::parse("smtpd_client_event_limit_exceptions", get("smtpd_client_event_limit_exceptions"),
                             catalog_, get("parent_domain_matches_subdomains"), MatchListKind::clients));
        mynetworks_ = std::make_unique<MatchList>(MatchList::parse(
            "mynetworks", get("mynetworks"), catalog_, get("parent_domain_matches_subdomains"), MatchListKind::clients));
    }

    int run(const std::vector<int> &fds) {
        auto made = queue::create_queue_dirs(receive_.queue_directory);
        if (!made.ok()) msg::fatal(made.text());
        for (int fd : fds) {
            sockaddr_storage ss{};
            socklen_t len = sizeof(ss);
            ::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
            auto proto = ss.ss_family == AF_INET6 ? tcp::v6() : tcp::v4();
            acceptors_.emplace_back(ioc_, proto, fd);
        }
        for (auto &a : acceptors_) asio::co_spawn(ioc_, accept_loop(a), asio::detached);
        signals_.async_wait([this](auto ec, int sig) { on_signal(ec, sig); });
        ioc_.run();
        committer_.shutdown();
        pool_.join();
        return 0;
    }

private:
    std::string get(const char *name) const { return cfg_.service_get(row_, name).value_or(""); }

    void on_signal(const boost::system::error_code &ec, int sig) {
        if (ec) return;
        signals_.async_wait([this](auto e, int s) { on_signal(e, s); });
        if (sig == SIGTERM) {
            ioc_.stop();
            return;
        }
        // SIGUSR1: stop accepting; exit once the sessions have ended.
        draining_ = true;
        for (auto &a : acceptors_) a.close();
        if (sessions_ == 0) ioc_.stop();
    }

    asio::awaitable<void> accept_loop(tcp::acceptor &acceptor) {
        while (!draining_) {
            auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                if (draining_ || ec == asio::error::operation_aborted) break;
                msg::warning("accept: " + ec.message());
                continue;
            }
            asio::co_spawn(ioc_, connection(std::move(sock)), asio::detached);
        }
    }

    // Postfix's local_header_rewrite_clients, as far as the receive path
    // needs it: permit_inet_interfaces (a client on one of our addresses)
    // and permit_mynetworks.
    bool may_rewrite(const tcp::socket &sock, const std::string &addr) const {
        boost::system::error_code ec;
        auto local = sock.local_endpoint(ec);
        for (const char *word : {"permit_inet_interfaces", "permit_mynetworks"}) {
            if (rewrite_clients_.find(word) == std::string::npos) continue;
            if (std::string(word) == "permit_inet_interfaces" && !ec && printable(local.address()) == addr) return true;
            if (std::string(word) == "permit_mynetworks" && mynetworks_->match_client("", addr).matched())
                return true;
        }
        return false;
    }

    asio::awaitable<void> connection(tcp::socket sock) {
        ++sessions_;
        boost::system::error_code ec;
        auto peer = sock.remote_endpoint(ec);
        if (ec) {
            --sessions_;
            co_return;
        }
        ClientInfo client;
        client.addr = printable(peer.address());
        auto known = reverse_names_.find(client.addr, ReverseNameCache::Clock::now());
        if (!known) {
            co_await asio::post(pool_, asio::use_awaitable);
            known = reverse_name(peer);
            co_await asio::post(ioc_, asio::use_awaitable);
            reverse_names_.store(client.addr, *known, ReverseNameCache::Clock::now());
        }
        client.name = known->display();
        std::string who = client.name + "[" + client.addr + "]";
        msg::info("connect from " + who);
        Link link(std::move(sock));
        QueueHooks::ClientPolicy policy;
        policy.rewrite_allowed = may_rewrite(link.socket(), client.addr);
        policy.rate_limited = !limit_exceptions_->match_client(client.name, client.addr).matched();
        if (policy.rate_limited) {
            bool by_rate = false;
            if (unsigned n = anvil_->connect(client.addr, by_rate)) {
                msg::warning(std::string(by_rate ? "Connection rate" : "Connection concurrency") +
                             " limit exceeded: " + std::to_string(n) + " from " + who + " for service " + row_.service);
                co_await link.write("421 4.7.0 " + session_.myhostname + " Error: too many connections from " +
                                    client.addr + "\r\n");
                link.socket().close(ec);
                msg::info("disconnect from " + who + " commands=0/0");
                if (--sessions_ == 0 && draining_) ioc_.stop();
                co_return;
            }
        }

        std::optional<Verdict> answer;
        asio::steady_timer wake(ioc_, asio::steady_timer::time_point::max());
        QueueHooks hooks(receive_, [this](std::function<void()> f) { asio::post(ioc_, std::move(f)); },
                         [&](Verdict v) {
                             answer = std::move(v);
                             wake.cancel();
                         },
                         policy);
        Session session(session_, client, hooks);
        // What the client sent before the greeting (Postfix peeks at the
        // socket before it greets): already there, so this never blocks.
        std::string early;
        if (std::size_t n = link.socket().available(ec); !ec && n > 0) {
            early.resize(std::min<std::size_t>(n, 4096));
            early.resize(link.socket().read_some(asio::buffer(early), ec));
            if (ec) early.clear();
        }
        auto next = session.start(early);
        bool timed_out = false;
        while (true) {
            if (unsigned delay = session.take_delay()) {
                asio::steady_timer t(ioc_, std::chrono::seconds(delay));
                co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            std::string out = session.take_output();
            if (!out.empty() && co_await link.write(out)) break;
            if (next == Session::Next::close) break;
            if (next == Session::Next::start_tls) {
                if (!co_await start_tls(link, session, hooks, who)) break;
                next = session.tls_started();
                continue;
            }
            if (next == Session::Next::wait) {
                while (!answer) co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
                Verdict v = std::move(*answer);
                answer.reset();
                wake.expires_at(asio::steady_timer::time_point::max());
                next = session.resume(std::move(v));
                continue;
            }
            // smtpd_timeout: a watchdog closes the read that takes too long.
            asio::steady_timer watchdog(ioc_, timeout_);
            watchdog.async_wait([&](const boost::system::error_code &e) {
                if (!e) {
                    timed_out = true;
                    link.socket().cancel();
                }
            });
            auto [rec, got] = co_await link.read_some(read_buffer_);
            watchdog.cancel();
            if (timed_out) {
                msg::info("timeout after " + session.where() + " from " + who);
                co_await link.write("421 4.4.2 " + session_.myhostname + " Error: timeout exceeded\r\n");
                break;
            }
            if (rec) {
                if (rec != asio::error::eof && rec != asio::error::connection_reset &&
                    rec != asio::ssl::error::stream_truncated)
                    msg::info("read from " + who + ": " + rec.message());
                msg::info("lost connection after " + session.where() + " from " + who);
                break;
            }
            if (got.empty()) continue; // woken without data: wait again
            next = session.receive(got);
        }
        session.disconnect();
        hooks.detach();
        link.socket().close(ec);
        if (policy.rate_limited) anvil_->disconnect(client.addr);
        msg::info("disconnect from " + who + " " + session.command_stats());
        if (--sessions_ == 0 && draining_) ioc_.stop();
    }

    // The handshake after "220 2.0.0 Ready to start TLS", bounded by
    // smtpd_timeout like any read.
    asio::awaitable<bool> start_tls(Link &link, Session &session, QueueHooks &hooks, const std::string &who) {
        (void)session;
        asio::steady_timer watchdog(ioc_, timeout_);
        bool timed_out = false;
        watchdog.async_wait([&](const boost::system::error_code &e) {
            if (!e) {
                timed_out = true;
                link.socket().cancel();
            }
        });
        auto ec = co_await link.start_tls(*tls_.context);
        watchdog.cancel();
        if (ec || timed_out) {
            msg::info("SSL_accept error from " + who + ": " + (timed_out ? "timeout" : ec.message()));
            msg::info("lost connection after STARTTLS from " + who);
            co_return false;
        }
        auto summary = describe_tls(link.native());
        if (tls_.loglevel >= 1) msg::info(tls_established_line(who, summary));
        if (tls_.received_header) hooks.set_tls(summary);
        co_return true;
    }

    const Config &cfg_;
    const config::MasterService &row_;
    asio::io_context ioc_{1};
    asio::thread_pool pool_;
    asio::strand<asio::thread_pool::executor_type> file_jobs_ = asio::make_strand(pool_);
    MapCatalog catalog_;
    RecipientCheck recipients_;
    queue::GroupCommitter committer_;
    asio::signal_set signals_;
    std::vector<tcp::acceptor> acceptors_;
    SessionConfig session_;
    TlsServer tls_;
    ReceiveContext receive_;
    std::string rewrite_clients_;
    std::unique_ptr<MatchList> mynetworks_;
    std::unique_ptr<MatchList> limit_exceptions_;
    std::unique_ptr<Anvil> anvil_;
    ReverseNameCache reverse_names_{std::chrono::seconds(60), 10000};
    std::chrono::seconds timeout_{300};
    // One read buffer for every connection: read_some fills it and the
    // session consumes it before the connection awaits anything else.
    std::string read_buffer_ = std::string(65536, '\0');
    int sessions_ = 0;
    bool draining_ = false;
};

} // namespace

int run_smtpd_service(const Config &cfg, const config::MasterService &row, const std::vector<int> &listen_fds) {
    Service service(cfg, row);
    master::drop_service_privileges(cfg, row); // tables and TLS keys are open
    return service.run(listen_fds);
}

} // namespace ferry::smtpd
