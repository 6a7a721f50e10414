// mysql_table.h - one open mysql: table: a key in, Postfix's answer out.
//
// lookup() gives the three answers apart: Found (rows joined with commas
// through result_format), NotFound (no row, or a key the templates or the
// "domain" list exclude, as Postfix), TempFail (no server could answer, a
// query error, expansion_limit exceeded), with a reason naming the table
// and the server.  Keys reach SQL only through mysql_real_escape_string().
#pragma once

#include "mysql_config.h"
#include "mysql_servers.h"

#include <memory>
#include <string>

namespace ferry::mysql {

class MysqlTable {
public:
    MysqlTable(MysqlConfig config, unsigned flags, const ferry_host *host);

    // A ferry_status; value on FERRY_FOUND, why otherwise (when not
    // NOTFOUND).
    int lookup(std::string_view key, std::string &value, std::string &why);

    void log(int level, const std::string &text) const;

private:
    MysqlConfig config_;
    unsigned flags_;
    const ferry_host *host_;
    std::unique_ptr<ServerSet> servers_;
    // A statement without a result set is a configuration problem that
    // every lookup meets: warn once, until a lookup gets rows again.
    bool warned_no_result_set_ = false;
};

} // namespace ferry::mysql
