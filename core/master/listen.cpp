// listen.cpp - see listen.h.
#include "master/listen.h"

#include "config/values.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::master {
namespace {

// A port number or a TCP service name; 0 when unknown.
int port_of(const std::string &text) {
    if (text.empty()) return 0;
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        long n = std::strtol(text.c_str(), nullptr, 10);
        return n > 0 && n < 65536 ? static_cast<int>(n) : 0;
    }
    const servent *se = ::getservbyname(text.c_str(), "tcp");
    return se ? ntohs(static_cast<uint16_t>(se->s_port)) : 0;
}

// Numeric addresses of a host name or literal, for the families wanted.
std::vector<Endpoint> resolve(const std::string &host, bool v4, bool v6, int port) {
    std::vector<Endpoint> out;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = v4 && v6 ? AF_UNSPEC : v6 ? AF_INET6 : AF_INET;
    addrinfo *res = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo *a = res; a; a = a->ai_next) {
        char buf[INET6_ADDRSTRLEN] = {};
        const void *raw = a->ai_family == AF_INET
                              ? static_cast<const void *>(&reinterpret_cast<sockaddr_in *>(a->ai_addr)->sin_addr)
                              : static_cast<const void *>(&reinterpret_cast<sockaddr_in6 *>(a->ai_addr)->sin6_addr);
        if (!::inet_ntop(a->ai_family, raw, buf, sizeof(buf))) continue;
        Endpoint e{buf, port, a->ai_family};
        bool seen = false;
        for (const auto &o : out) seen = seen || (o.address == e.address);
        if (!seen) out.push_back(e);
    }
    ::freeaddrinfo(res);
    return out;
}

} // namespace

std::string Endpoint::text() const {
    return (family == AF_INET6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

EndpointList inet_endpoints(std::string_view service_field, std::string_view inet_interfaces,
                            std::string_view inet_protocols) {
    EndpointList out;
    std::string field(service_field);
    std::string host, port_text = field;
    if (!field.empty() && field[0] == '[') {
        auto close = field.find("]:");
        if (close == std::string::npos) {
            out.error = "bad inet service address: " + field;
            return out;
        }
        host = field.substr(1, close - 1);
        port_text = field.substr(close + 2);
    } else if (auto colon = field.rfind(':'); colon != std::string::npos) {
        host = field.substr(0, colon);
        port_text = field.substr(colon + 1);
    }
    int port = port_of(port_text);
    if (port == 0) {
        out.error = "unknown service: " + port_text + "/tcp";
        return out;
    }
    bool v4 = false, v6 = false;
    for (std::string_view p : config::list_items(inet_protocols)) {
        if (p == "all") v4 = v6 = true;
        else if (p == "ipv4") v4 = true;
        else if (p == "ipv6") v6 = true;
        else {
            out.error = "bad inet_protocols value: " + std::string(p);
            return out;
        }
    }
    if (!v4 && !v6) {
        out.error = "inet_protocols names no protocol";
        return out;
    }
    std::vector<std::string> hosts;
    if (!host.empty()) {
        hosts.push_back(host);
    } else {
        auto list = config::list_items(inet_interfaces);
        if (list.size() == 1 && list[0] == "all") {
            if (v4) out.endpoints.push_back({"0.0.0.0", port, AF_INET});
            if (v6) out.endpoints.push_back({"::", port, AF_INET6});
            return out;
        }
        for (const auto &h : list) {
            if (h == "loopback-only" || h == "localhost") {
                if (v4) hosts.push_back("127.0.0.1");
                if (v6) hosts.push_back("::1");
            } else {
                hosts.emplace_back(h);
            }
        }
    }
    for (const auto &h : hosts) {
        auto found = resolve(h, v4, v6, port);
        if (found.empty()) {
            out.error = "host/service " + h + "/" + port_text + " not found";
            out.endpoints.clear();
            return out;
        }
        out.endpoints.insert(out.endpoints.end(), found.begin(), found.end());
    }
    return out;
}

int open_listener(const Endpoint &where, int backlog, std::string &why) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (where.family == AF_INET) {
        auto *sa = reinterpret_cast<sockaddr_in *>(&ss);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(static_cast<uint16_t>(where.port));
        ::inet_pton(AF_INET, where.address.c_str(), &sa->sin_addr);
        len = sizeof(*sa);
    } else {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(&ss);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(static_cast<uint16_t>(where.port));
        ::inet_pton(AF_INET6, where.address.c_str(), &sa->sin6_addr);
        len = sizeof(*sa);
    }
    int fd = ::socket(where.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = "socket: " + std::string(std::strerror(errno));
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (where.family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) < 0 || ::listen(fd, backlog) < 0) {
        why = "bind " + where.text() + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

int open_unix_listener(const std::string &path, int backlog, uid_t owner, std::string &why) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa.sun_path)) {
        why = "socket path too long: " + path;
        return -1;
    }
    std::memcpy(sa.sun_path, path.data(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = "socket: " + std::string(std::strerror(errno));
        return -1;
    }
    // A socket file left by an earlier master; never anything else.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());
    // Created 0600 from the start (umask), so no one else connects before
    // the chown below.
    mode_t old = ::umask(0177);
    int bound = ::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa));
    ::umask(old);
    if (bound < 0 || ::listen(fd, backlog) < 0) {
        why = "bind " + path + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    if (owner != static_cast<uid_t>(-1) && ::lchown(path.c_str(), owner, static_cast<gid_t>(-1)) < 0) {
        why = "chown " + path + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, std::string_view data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

int connect_unix(const std::string &path, std::string &why) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa.sun_path)) {
        why = "connect to " + path + ": socket path too long";
        return -1;
    }
    std::memcpy(sa.sun_path, path.data(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = "connect to " + path + ": socket: " + std::strerror(errno);
        return -1;
    }
    while (::connect(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0) {
        if (errno == EINTR) continue;
        why = "connect to " + path + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace ferry::master
