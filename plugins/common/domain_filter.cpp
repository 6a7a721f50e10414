// domain_filter.cpp - the "domain" parameter of mysql_table(5) and
// ldap_table(5): which keys are worth a query (see db_common.h).
#include "db_common.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ferry::db {

bool DomainFilter::parse(std::string_view list, const ferry_host *host, std::string &err) {
    entries_.clear();
    host_ = host;
    std::vector<std::string> words = split_list(list);
    // "/file" entries expand to the words of the file ('#' comments); a
    // file listing itself is cut short by the bound on the number of files.
    int files = 0;
    for (size_t i = 0; i < words.size(); ++i) {
        std::string w = words[i];
        bool negate = false;
        while (!w.empty() && w.front() == '!') {
            negate = !negate;
            w.erase(0, 1);
        }
        if (w.empty()) {
            err = "domain: empty list entry \"" + words[i] + "\"";
            return false;
        }
        if (w.front() == '/') {
            if (negate) {
                err = "domain: a file name cannot be negated: \"" + words[i] + "\"";
                return false;
            }
            if (++files > 100) {
                err = "domain: too many files in the list (a file includes itself?)";
                return false;
            }
            std::ifstream in(w);
            if (!in) {
                err = "domain: open " + w + ": " + std::strerror(errno);
                return false;
            }
            std::string line;
            std::vector<std::string> more;
            while (std::getline(in, line)) {
                size_t hash = line.find('#');
                if (hash != std::string::npos) line.erase(hash);
                for (auto &m : split_list(line)) more.push_back(m);
            }
            words.insert(words.begin() + static_cast<long>(i) + 1, more.begin(), more.end());
            continue;
        }
        Entry e;
        e.negate = negate;
        size_t colon = w.find(':');
        if (colon != std::string::npos && colon > 0) {
            if (!host || !host->lookup) {
                err = "domain: table \"" + w + "\" cannot be used here";
                return false;
            }
            e.table = true;
            e.pattern = w;
        } else {
            e.pattern = fold_lower(w);
        }
        entries_.push_back(std::move(e));
    }
    return true;
}

std::optional<bool> DomainFilter::match(std::string_view domain, std::string &why) const {
    std::string d = fold_lower(domain);
    for (const auto &e : entries_) {
        bool hit;
        if (e.table) {
            StringSink value;
            char err[512] = "";
            int st = host_->lookup(host_->ctx, e.pattern.c_str(), d.data(), d.size(),
                                   &value.sink, err, sizeof err);
            if (st == FERRY_TEMPFAIL || st == FERRY_CONFIG) {
                why = "domain table " + e.pattern + ": " + (err[0] ? err : "lookup failed");
                return std::nullopt;
            }
            hit = st == FERRY_FOUND;
        } else {
            hit = e.pattern == d;
        }
        if (hit) return !e.negate;
    }
    return false;
}

DomainFilter::Check DomainFilter::check(std::string_view key, std::string &why) const {
    if (entries_.empty()) return Check::Lookup;
    size_t at = key.rfind('@');
    if (at == std::string_view::npos || at == 0) return Check::Skip;
    auto m = match(key.substr(at + 1), why);
    if (!m) return Check::Error;
    return *m ? Check::Lookup : Check::Skip;
}

} // namespace ferry::db
