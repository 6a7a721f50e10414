// service.cpp - `ferry service COMMAND -c DIR -s NAME/TYPE`: one service
// process, started by the master with its listeners as fds 3, 4, ...
// ($FERRY_LISTEN_FDS of them).  Not for people to run by hand.  Started by
// a root master, a service is chrooted to queue_directory when its chroot
// column is y and becomes mail_owner once its tables are open
// (master/privileges.h), unless its master.cf unpriv column is n.
#include "cmd/commands.h"
#include "config/config.h"
#include "log/msg.h"
#include "pickup/pickup_service.h"
#include "smtpd/smtpd_service.h"
#include "qmgr/qmgr_service.h"
#include "local/local_service.h"
#include "master/privileges.h"
#include "maps/catalog.h"
#include "maps/proxy_table.h"
#include "queue/queue_dirs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ferry::cmd {
namespace {

struct ServiceArgs {
    std::string command, dir, name;
};

ServiceArgs parse(int argc, char **argv) {
    ServiceArgs a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-c" && i + 1 < argc) a.dir = argv[++i];
        else if (arg == "-s" && i + 1 < argc) a.name = argv[++i];
        else if (a.command.empty() && arg[0] != '-') a.command = arg;
        else msg::fatal("service: unexpected argument: " + arg);
    }
    if (a.command.empty() || a.dir.empty() || a.name.empty())
        msg::fatal("usage: ferry service COMMAND -c config_dir -s service/type");
    return a;
}

// proxymap: one process per client connection (fd 3), started by the
// master; tables are opened on first request, after the privilege drop,
// as Postfix's proxymap opens them.
int run_proxymap(const Config &cfg, const config::MasterService &row, const std::vector<int> &fds) {
    if (fds.empty())
        msg::fatal("proxymap: no request channel; the master starts proxymap for each connection to its socket");
    // A reload (SIGUSR1 to the old generation) leaves it serving its client
    // until that client, an old smtpd finishing its sessions, goes away.
    ::signal(SIGUSR1, SIG_IGN);
    MapCatalog catalog(catalog_options(cfg));
    ProxyServer server(catalog, approved_proxy_tables(cfg.get("proxy_read_maps").value_or("")));
    master::drop_service_privileges(cfg, row);
    server.serve(fds[0]);
    return 0;
}

} // namespace

int service_main(int argc, char **argv) {
    ServiceArgs a = parse(argc, argv);
    Config cfg = Config::load(a.dir);
    const config::MasterService *row = nullptr;
    for (const auto &s : cfg.services())
        if (s.name() == a.name) row = &s;
    if (!row) msg::fatal("service " + a.name + " is not in " + cfg.master_cf_path());
    std::vector<int> fds;
    if (const char *n = std::getenv("FERRY_LISTEN_FDS"))
        for (int i = 0; i < std::atoi(n); ++i) fds.push_back(3 + i);
    msg::set_program(cfg.get("syslog_name").value_or("postfix") + "/" + a.command);
    std::string file = cfg.get("maillog_file").value_or("");
    if (!file.empty() ? !msg::log_to_file(file) : false)
        msg::fatal("open maillog_file " + file + ": " + std::strerror(errno));
    if (file.empty()) msg::enable_syslog(false);
    else msg::quiet(true);
    // Postfix's daemons work inside the queue directory with relative
    // names.  A service that will become mail_owner does the same, so
    // mail_owner never has to walk the path above the queue (a checkout
    // under root's 0700 home, for one); so does one that will be chrooted
    // there, and its proxy: tables go through the proxymap service.
    if (master::running_as_root() && (row->is_unprivileged() || row->is_chroot())) {
        std::string queue = cfg.get("queue_directory").value_or("");
        if (::chdir(queue.c_str()) != 0) msg::fatal("chdir(" + queue + "): " + std::strerror(errno));
        cfg.set_value("queue_directory", ".");
        if (row->is_chroot())
            set_proxy_service(std::string(queue::private_dir) + "/" +
                              cfg.get("proxymap_service_name").value_or("proxymap"));
    }
    if (a.command == "smtpd") return smtpd::run_smtpd_service(cfg, *row, fds);
    if (a.command == "qmgr") return qmgr::run_qmgr_service(cfg, *row);
    // local keeps root (unpriv n) to become each recipient; were its row
    // made unprivileged, it would drop here, before reading a request.
    if (a.command == "local") {
        master::drop_service_privileges(cfg, *row);
        return local::run_local_service(cfg, *row, fds);
    }
    if (a.command == "pickup") return pickup::run_pickup_service(cfg, *row);
    if (a.command == "proxymap") return run_proxymap(cfg, *row, fds);
    msg::fatal("service " + a.name + ": command " + a.command + " is not available");
}

} // namespace ferry::cmd
