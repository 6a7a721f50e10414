// listen.h - where an inet service of master.cf listens, and the sockets
// (TCP for inet rows, UNIX-domain for the unix rows the master serves).
//
// A master.cf service field is "port", "host:port" or "[v6addr]:port"; the
// port is a number or a name from /etc/services ("smtp").  Without a host,
// the service listens on every address of inet_interfaces ("all",
// "loopback-only" or a list), for the protocols of inet_protocols, as
// Postfix does.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace ferry::master {

struct Endpoint {
    std::string address; // numeric: "127.0.0.1", "::1", "0.0.0.0"
    int port = 0;
    int family = 0; // AF_INET or AF_INET6

    // "127.0.0.1:2525", "[::1]:25", as logged.
    std::string text() const;
};

// The endpoints of an inet service, or an error text naming the field.
struct EndpointList {
    std::vector<Endpoint> endpoints;
    std::string error;
};
EndpointList inet_endpoints(std::string_view service_field, std::string_view inet_interfaces,
                            std::string_view inet_protocols);

// A listening, non-blocking, close-on-exec TCP socket; -1 with `why` set.
int open_listener(const Endpoint &where, int backlog, std::string &why);

// A listening, non-blocking, close-on-exec UNIX-domain socket at `path`
// (a stale socket file there is replaced), mode 0600 and owned by `owner`
// when owner is not -1, like Postfix's private/ sockets; -1 with `why` set.
int open_unix_listener(const std::string &path, int backlog, uid_t owner, std::string &why);

// A blocking, close-on-exec connection to the UNIX-domain socket at
// `path`; -1 with `why` set to "connect to PATH: reason".
int connect_unix(const std::string &path, std::string &why);

// Writes all of `data` to a connected socket (no SIGPIPE); false when the
// peer went away or on an error.
bool send_all(int fd, std::string_view data);

} // namespace ferry::master
