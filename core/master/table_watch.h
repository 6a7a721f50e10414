// table_watch.h - the files behind the tables a configuration names, so
// the master can start a new generation of services when one changes.
//
// Postfix's daemons notice a changed table themselves ("table ... has
// changed -- restarting") and exit; the master starts fresh ones, which
// open the new version.  A chrooted Ferry service cannot reopen a table
// by its name outside the chroot, and the built-in tables read their file
// once, so the master, outside any chroot, watches the files instead:
// every "type:/path" table in the value of any parameter (main.cf and
// master.cf -o), as its file and, for the Berkeley DB family, lmdb and
// cdb, the file postmap builds ("path.db", ...).  A change counts once the
// file has stayed the same for one more check, so a postmap still writing
// is not caught half-way.
#pragma once

#include "config/fwd.h"

#include <sys/stat.h>

#include <map>
#include <string>

namespace ferry::master {

class TableWatch {
public:
    // Forget what was watched; watch the tables `cfg` names, as they are now.
    void reset(const Config &cfg);

    // The table ("hash:/etc/postfix/access") of a file that changed and has
    // been stable since the previous call; "" when there is none.  Cheap:
    // one stat per watched file.
    std::string changed();

    // The files watched, for tests.
    std::map<std::string, std::string> files() const;

private:
    struct Stamp {
        bool exists = false;
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = 0;
        long long mtime_ns = 0, ctime_ns = 0;
        bool operator==(const Stamp &) const = default;
    };
    struct Watched {
        std::string table;
        Stamp settled; // as the services opened it
        Stamp last;    // at the previous check
    };
    static Stamp stamp_of(const std::string &path);

    std::map<std::string, Watched> files_; // path -> what
};

} // namespace ferry::master
