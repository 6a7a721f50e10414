// proxy_table.h - "proxy:type:name" tables and the proxymap service that
// answers them, so a service chrooted to queue_directory can still look
// up tables it cannot open there (unix:passwd.byname above all: Postfix's
// default local_recipient_maps is "proxy:unix:passwd.byname $alias_maps").
//
// As in Postfix, only tables listed with "proxy:" in proxy_read_maps are
// served; any other is refused, with the warnings Postfix's proxymap logs.
// Where a proxy: table is looked up depends on the process:
//  - in a chrooted service (set_proxy_service() was called), lookups go to
//    the proxymap service at that socket, one request at a time per
//    connection, on as many connections as lookups run at once;
//  - anywhere else the table is opened in the process itself: the same
//    answers (and the same refusal) without a round trip.
//
// Wire format (private to Ferry; both ends are this file):
//   request:  "lookup" NUL table NUL key NUL
//   reply:    status NUL text NUL
// status is "found" (text = value), "notfound", "retry" (text = reason),
// "deny" (table not approved) or "bad" (malformed request).
#pragma once

#include "maps/map.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ferry {

class MapCatalog;

// The table a "proxy:...:type:name" item names: without any "proxy:"
// prefixes ("type:name"); anything else as it is.
std::string_view strip_proxy(std::string_view spec);

// The tables proxy_read_maps approves: every item "proxy:type:name" (any
// number of "proxy:" prefixes), without the prefixes.  Items without
// "proxy:" approve nothing, as in Postfix.
std::set<std::string, std::less<>> approved_proxy_tables(std::string_view proxy_read_maps);

// Logs Postfix's two warnings for a table that is not approved.
void warn_unapproved_table(std::string_view table);

// From now on, this process sends proxy: lookups to the proxymap socket
// at `path` (relative to the working directory, as chrooted services use
// it).  Called once, before the service opens its tables.
void set_proxy_service(std::string path);
// The socket set above, or "" (proxy: tables are opened in-process).
const std::string &proxy_service();

// A proxy: table: `table` is the name without "proxy:".  `approved` is
// proxy_read_maps' verdict, `socket` the proxymap socket or "" (then
// `catalog` opens the table here), `timeout` how long (seconds) to wait
// for the service.  An unapproved table is not opened: the error is the
// text Postfix's proxy client gives, and the warnings are logged.
OpenedMap open_proxy_table(std::string_view table, bool approved, const std::string &socket, int timeout,
                           MapCatalog &catalog, unsigned flags);

// The proxymap service's side: answers the requests of one client
// connection on `fd` until it closes, from tables opened through `catalog`
// (each once) and approved by `approved`.  Returns when the client goes
// away; a malformed request is answered "bad" and logged.
class ProxyServer {
public:
    ProxyServer(MapCatalog &catalog, std::set<std::string, std::less<>> approved);
    void serve(int fd);

private:
    // status and text of the reply to one lookup
    std::pair<std::string, std::string> lookup(const std::string &table, const std::string &key);

    MapCatalog &catalog_;
    std::set<std::string, std::less<>> approved_;
    std::map<std::string, std::unique_ptr<Map>, std::less<>> open_;
};

} // namespace ferry
