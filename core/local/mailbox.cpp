// mailbox.cpp - see mailbox.h.
#include "local/mailbox.h"

#include "maps/search_order.h"

#include <cctype>

namespace ferry::local {

Mailbox mailbox_for(std::string_view home_mailbox, std::string_view mail_spool_directory,
                    std::string_view user, std::string_view home) {
    Mailbox m;
    if (!home_mailbox.empty()) {
        std::string base(home);
        if (base.empty() || base.back() != '/') base += '/';
        m.path = base + std::string(home_mailbox);
        m.kind = home_mailbox.back() == '/' ? MailboxKind::maildir : MailboxKind::mbox;
        return m;
    }
    std::string spool(mail_spool_directory);
    bool maildir = !spool.empty() && spool.back() == '/';
    while (spool.size() > 1 && spool.back() == '/') spool.pop_back();
    m.path = spool + "/" + std::string(user);
    if (maildir) m.path += '/';
    m.kind = maildir ? MailboxKind::maildir : MailboxKind::mbox;
    return m;
}

LocalName local_name(std::string_view address, std::string_view recipient_delimiter) {
    LocalName n;
    size_t at = address.rfind('@');
    std::string_view local = address.substr(0, at);
    if (at != std::string_view::npos) n.domain = std::string(address.substr(at + 1));
    SearchOptions o;
    o.recipient_delimiter = std::string(recipient_delimiter);
    size_t ext = recipient_delimiter.empty() ? std::string_view::npos : extension_start(local, o);
    std::string_view base = local.substr(0, ext);
    if (ext != std::string_view::npos) n.extension = std::string(local.substr(ext + 1));
    for (char c : base) n.user += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return n;
}

} // namespace ferry::local
