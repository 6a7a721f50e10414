// embedded.cpp - the default configuration compiled into Ferry, used when it
// runs without a configuration directory (`ferry conf --embedded`,
// FERRY_EMBEDDED=1).  It is a safe start: mail is accepted on the loopback
// interface only, for this host, and delivered to a Maildir per user under
// $state/mail/ (mail_spool_directory with a trailing slash).  Queue and
// data live under a local state directory, so no root-owned paths are needed;
// the SMTP server listens on 127.0.0.1:2525, beside any system mail server,
// and logs to $state/maillog.
#include "config/config.h"

#include <string>

namespace ferry {
namespace {

// @STATE@ becomes the state directory when the configuration is loaded.
constexpr const char *embedded_main_cf = R"(# Ferry's embedded default configuration.
compatibility_level = 3.6
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination = $myhostname, localhost.$mydomain, localhost
mynetworks_style = host
queue_directory = @STATE@/queue
data_directory = @STATE@/data
home_mailbox =
mail_spool_directory = @STATE@/mail/
alias_maps =
alias_database =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file = @STATE@/maillog
)";

constexpr const char *embedded_master_cf = R"(# Ferry's embedded default services.
127.0.0.1:2525 inet n   -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
)";

} // namespace

Config Config::load_embedded(const std::string &state_dir) {
    std::string text = embedded_main_cf;
    for (std::size_t p; (p = text.find("@STATE@")) != std::string::npos;)
        text.replace(p, 7, state_dir);
    return from_text(text, embedded_master_cf, embedded_label);
}

} // namespace ferry
