// mailbox.h - where local(8) puts a user's mail, and the user name a local
// recipient stands for.  Pure functions, no system calls.
//
// Postfix's rules, as Ferry follows them:
//  - home_mailbox set: the mailbox is $HOME/home_mailbox; a value ending in
//    "/" is a Maildir ("Maildir/"), else an mbox file ("Mailbox").
//  - else mail_spool_directory/USER; a mail_spool_directory ending in "/"
//    makes every spool mailbox a Maildir, else they are mbox files.
//  - the local part is folded to lower case and loses its extension (after
//    the first recipient_delimiter character) before aliases and the
//    password file are asked.
#pragma once

#include <string>
#include <string_view>

namespace ferry::local {

enum class MailboxKind { maildir, mbox };

struct Mailbox {
    MailboxKind kind = MailboxKind::mbox;
    std::string path; // a Maildir path ends in "/"
};

Mailbox mailbox_for(std::string_view home_mailbox, std::string_view mail_spool_directory,
                    std::string_view user, std::string_view home);

struct LocalName {
    std::string user;      // lower case, without the extension
    std::string extension; // without its delimiter; "" when none
    std::string domain;    // as in the address, "" when none
};

// Splits "Alice+Work@Example.org" with recipient_delimiter "+" into
// {"alice", "work", "Example.org"}.  postmaster and MAILER-DAEMON are never
// split (search_order's rules).
LocalName local_name(std::string_view address, std::string_view recipient_delimiter);

} // namespace ferry::local
