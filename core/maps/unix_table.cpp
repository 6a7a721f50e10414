// unix_table.cpp - unix:passwd.byname and unix:group.byname, the system's
// user and group databases.  The value is the entry as a passwd(5) or
// group(5) line, as Postfix returns it.  A lookup error other than "no such
// entry" is a temporary failure (NSS backed by LDAP may be down).
#include "maps/builtin.h"
#include "maps/table_source.h"

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ferry {
namespace {

// getpw*_r / getgr*_r report "not found" as 0 with a null result, or as one
// of these errno values on some NSS backends.
bool is_absent(int err) {
    return err == 0 || err == ENOENT || err == ESRCH || err == EBADF ||
           err == EPERM;
}

class UnixTable : public Map {
public:
    UnixTable(std::string name, bool group, unsigned flags)
        : Map("unix", std::move(name), 0), group_(group),
          fold_(flags & map_flags::fold) {}

    LookupResult lookup(std::string_view raw) override {
        std::string key = fold_ ? fold_case(raw) : std::string(raw);
        return group_ ? by_group(key) : by_user(key);
    }

private:
    LookupResult by_user(const std::string &key) {
        std::vector<char> buf(4096);
        for (;;) {
            passwd pw{}, *res = nullptr;
            int err = ::getpwnam_r(key.c_str(), &pw, buf.data(), buf.size(),
                                   &res);
            if (err == ERANGE && buf.size() < (1u << 20)) {
                buf.resize(buf.size() * 2);
                continue;
            }
            if (res)
                return LookupResult::found(
                    std::string(pw.pw_name) + ":" + pw.pw_passwd + ":" +
                    std::to_string(pw.pw_uid) + ":" +
                    std::to_string(pw.pw_gid) + ":" + pw.pw_gecos + ":" +
                    pw.pw_dir + ":" + pw.pw_shell);
            if (is_absent(err)) return LookupResult::not_found();
            return LookupResult::temp_fail(spec() + ": getpwnam_r: " +
                                           std::strerror(err));
        }
    }

    LookupResult by_group(const std::string &key) {
        std::vector<char> buf(4096);
        for (;;) {
            group gr{}, *res = nullptr;
            int err = ::getgrnam_r(key.c_str(), &gr, buf.data(), buf.size(),
                                   &res);
            if (err == ERANGE && buf.size() < (1u << 22)) {
                buf.resize(buf.size() * 2);
                continue;
            }
            if (res) {
                std::string v = std::string(gr.gr_name) + ":" + gr.gr_passwd +
                                ":" + std::to_string(gr.gr_gid) + ":";
                for (char **m = gr.gr_mem; m && *m; ++m) {
                    if (m != gr.gr_mem) v += ',';
                    v += *m;
                }
                return LookupResult::found(std::move(v));
            }
            if (is_absent(err)) return LookupResult::not_found();
            return LookupResult::temp_fail(spec() + ": getgrnam_r: " +
                                           std::strerror(err));
        }
    }

    bool group_;
    bool fold_;
};

} // namespace

OpenedMap open_unix_table(std::string_view name, unsigned flags) {
    if (name == "passwd.byname")
        return {std::make_unique<UnixTable>(std::string(name), false, flags),
                {}};
    if (name == "group.byname")
        return {std::make_unique<UnixTable>(std::string(name), true, flags),
                {}};
    return {nullptr, "unknown table: unix:" + std::string(name)};
}

} // namespace ferry
