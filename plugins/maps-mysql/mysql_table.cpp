// mysql_table.cpp - the lookup of a mysql: table (see mysql_table.h).  The
// order of checks is Postfix's dict_mysql: fold the key, skip keys the
// "domain" list or the templates exclude, query, join the rows.
#include "mysql_table.h"

namespace ferry::mysql {

MysqlTable::MysqlTable(MysqlConfig config, unsigned flags, const ferry_host *host)
    : config_(std::move(config)), flags_(flags), host_(host) {
    servers_ = std::make_unique<ServerSet>(
        config_, [this](int level, const std::string &text) { log(level, text); });
}

void MysqlTable::log(int level, const std::string &text) const {
    if (host_ && host_->log) host_->log(host_->ctx, level, text.c_str());
}

int MysqlTable::lookup(std::string_view key_in, std::string &value, std::string &why) {
    std::string key = (flags_ & FERRY_MAP_FOLD) ? db::fold_lower(key_in) : std::string(key_in);

    // Keys that are not UTF-8 are not looked up (Postfix 3.7 skips them
    // unless SMTPUTF8 is off; an invalid key can match nothing sensible).
    if (!db::valid_utf8(key)) return FERRY_NOTFOUND;

    switch (config_.domain.check(key, why)) {
    case db::DomainFilter::Check::Skip: return FERRY_NOTFOUND;
    case db::DomainFilter::Check::Error:
        why = config_.table + ": " + why;
        return FERRY_TEMPFAIL;
    case db::DomainFilter::Check::Lookup: break;
    }

    // A key lacking what the templates need is not looked up at all.
    std::string stmt;
    if (!config_.templates.expand_query(config_.query, key, {}, stmt)) return FERRY_NOTFOUND;

    auto reply = servers_->query([&](MYSQL *db) {
        db::Quote quote = [db](std::string_view in, std::string &out) {
            size_t at = out.size();
            out.resize(at + 2 * in.size() + 1);
            unsigned long n = mysql_real_escape_string(db, out.data() + at, in.data(),
                                                       static_cast<unsigned long>(in.size()));
            out.resize(at + n);
        };
        std::string q;
        config_.templates.expand_query(config_.query, key, quote, q);
        return q;
    });
    if (reply.outcome == ServerSet::Outcome::Fail) {
        why = reply.why;
        return FERRY_TEMPFAIL;
    }
    if (reply.outcome == ServerSet::Outcome::NoResultSet) {
        if (!config_.require_result_set) return FERRY_NOTFOUND;
        why = config_.table + ": query returned no result set (require_result_set = yes)";
        if (!warned_no_result_set_) log(FERRY_LOG_WARNING, why);
        warned_no_result_set_ = true;
        return FERRY_TEMPFAIL;
    }
    warned_no_result_set_ = false;

    db::ResultJoiner joiner(config_.templates, config_.result_format, config_.expansion_limit);
    MYSQL_RES *res = reply.res;
    unsigned fields = mysql_num_fields(res);
    int status = FERRY_NOTFOUND;
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
        bool over = false;
        for (unsigned j = 0; j < fields; ++j) {
            if (!row[j]) continue; // SQL NULL: skipped silently
            // Values are C strings to Postfix: text after a NUL is not seen.
            std::string_view v(row[j]);
            if (v.empty()) {
                log(FERRY_LOG_WARNING, "table \"" + config_.table +
                                           "\": empty lookup result for: \"" + key +
                                           "\" -- ignored");
                continue;
            }
            if (joiner.add(v, key) == db::ResultJoiner::Add::ExpansionLimit) {
                over = true;
                break;
            }
        }
        if (over) {
            why = config_.table + ": expansion limit " + std::to_string(config_.expansion_limit) +
                  " exceeded for key: '" + key + "'";
            log(FERRY_LOG_WARNING, why);
            status = FERRY_TEMPFAIL;
            break;
        }
    }
    mysql_free_result(res);
    if (status == FERRY_TEMPFAIL) return status;
    if (joiner.empty()) return FERRY_NOTFOUND;
    value = joiner.result();
    return FERRY_FOUND;
}

} // namespace ferry::mysql
