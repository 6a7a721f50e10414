// verify_local.cpp - see verify_local.h.
#include "qmgr/verify_local.h"

#include "config/config.h"
#include "config/values.h"
#include "local/alias_targets.h"
#include "local/mailbox.h"
#include "log/msg.h"
#include "maps/catalog.h"
#include "maps/match_list.h"

#include <pwd.h>

#include <set>

namespace ferry::qmgr {
namespace {

constexpr const char *remote_not_yet = "mail transport unavailable: remote delivery is not yet available in Ferry";
constexpr int max_alias_depth = 10;

} // namespace

struct LocalVerifier::State {
    State(const Config &c, const config::MasterService &r) : cfg(c), row(r), catalog(catalog_options(c)) {}
    const Config &cfg;
    const config::MasterService &row;
    MapCatalog catalog;
    std::unique_ptr<MatchList> mydestination;
    std::vector<std::pair<std::string, std::unique_ptr<Map>>> aliases;
    std::string delimiter, myorigin, home_mailbox, spool;

    std::string get(const char *name) const { return cfg.service_get(row, name).value_or(""); }

    void expand(const std::string &address, const std::string &from, int depth, std::set<std::string> &expanded,
                std::vector<VerifyResult> &out) {
        auto result = [&](bool ok, const char *status, std::string reason) {
            out.push_back({address, from == address ? "" : from, ok, status, std::move(reason)});
        };
        local::LocalName n = local::local_name(address, delimiter);
        if (!n.domain.empty()) {
            auto m = mydestination->match_domain(n.domain);
            if (m.is_temp_fail()) return result(false, "4.3.0", m.reason);
            if (!m.matched()) return result(false, "4.3.0", remote_not_yet);
        }
        if (depth >= max_alias_depth) return result(false, "5.4.6", "mail forwarding loop for " + address);
        if (!expanded.count(n.user)) {
            std::vector<std::string> keys;
            if (!n.extension.empty()) keys.push_back(n.user + delimiter.substr(0, 1) + n.extension);
            keys.push_back(n.user);
            for (const auto &key : keys) {
                for (const auto &[spec, map] : aliases) {
                    if (!map) return result(false, "4.3.0", "alias_maps: " + spec + ": table is unavailable");
                    auto r = map->lookup(key);
                    if (r.is_temp_fail()) return result(false, "4.3.0", r.reason);
                    if (!r.is_found()) continue;
                    expanded.insert(n.user);
                    auto targets = local::parse_alias_value(r.value);
                    if (targets.empty()) return result(false, "5.1.1", "alias expands to nothing");
                    for (const auto &t : targets) {
                        if (t.kind != local::AliasTargetKind::address) {
                            result(false, "4.3.0",
                                   "alias " + key + ": delivery to " + local::alias_kind_name(t.kind) + " \"" +
                                       t.text + "\" is not yet supported");
                            continue;
                        }
                        std::string target = t.text;
                        if (target.find('@') == std::string::npos) target += "@" + myorigin;
                        expand(target, from, depth + 1, expanded, out);
                    }
                    return;
                }
            }
        }
        struct passwd *pw = ::getpwnam(n.user.c_str());
        if (!pw) return result(false, "5.1.1", "unknown user: \"" + n.user + "\"");
        auto box = local::mailbox_for(home_mailbox, spool, n.user, pw->pw_dir ? pw->pw_dir : "");
        result(true, "2.0.0", box.kind == local::MailboxKind::maildir ? "delivers to maildir" : "delivers to mailbox");
    }
};

LocalVerifier::LocalVerifier(const Config &cfg, const config::MasterService &row)
    : s_(std::make_unique<State>(cfg, row)) {
    s_->delimiter = s_->get("recipient_delimiter");
    s_->myorigin = s_->get("myorigin");
    s_->home_mailbox = s_->get("home_mailbox");
    s_->spool = s_->get("mail_spool_directory");
    s_->mydestination = std::make_unique<MatchList>(MatchList::parse(
        "mydestination", s_->get("mydestination"), s_->catalog, s_->get("parent_domain_matches_subdomains"),
        MatchListKind::domains));
    const std::string alias_maps = s_->get("alias_maps");
    for (const auto &spec : config::list_items(alias_maps)) {
        auto opened = s_->catalog.open(spec, map_flags::lookup_default);
        if (!opened.map) msg::warning("alias_maps: " + opened.error);
        s_->aliases.push_back({std::string(spec), std::move(opened.map)});
    }
}

LocalVerifier::~LocalVerifier() = default;

std::vector<VerifyResult> LocalVerifier::verify(const std::string &address) {
    std::vector<VerifyResult> out;
    std::set<std::string> expanded;
    s_->expand(address, address, 0, expanded, out);
    return out;
}

} // namespace ferry::qmgr
