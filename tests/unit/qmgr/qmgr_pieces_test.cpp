// qmgr_pieces_test.cpp - the pure pieces of qmgr and local: alias targets,
// mailbox paths, local names, mbox quoting and From_ lines, the
// qmgr <-> local channel, and the delivery log line.
#include "local/alias_targets.h"
#include "local/mailbox.h"
#include "local/mbox.h"
#include "qmgr/channel.h"
#include "qmgr/delivery_log.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace ferry;

TEST(AliasTargets, SplitsPlainAddresses) {
    auto t = local::parse_alias_value(" alice, bob@example.org ,<carol@x>,, ");
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0].text, "alice");
    EXPECT_EQ(t[1].text, "bob@example.org");
    EXPECT_EQ(t[2].text, "carol@x");
    for (const auto &x : t) EXPECT_EQ(x.kind, local::AliasTargetKind::address);
}

TEST(AliasTargets, RecognisesCommandFileAndInclude) {
    auto t = local::parse_alias_value("\"|/usr/bin/procmail -a x, y\", /var/log/mail, :include:/etc/list, alice");
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[0].kind, local::AliasTargetKind::command);
    EXPECT_EQ(t[0].text, "/usr/bin/procmail -a x, y");
    EXPECT_EQ(t[1].kind, local::AliasTargetKind::file);
    EXPECT_EQ(t[2].kind, local::AliasTargetKind::include);
    EXPECT_EQ(t[2].text, "/etc/list");
    EXPECT_EQ(t[3].kind, local::AliasTargetKind::address);
}

TEST(Mailbox, HomeMailboxMaildirAndMbox) {
    auto m = local::mailbox_for("Maildir/", "/var/mail", "alice", "/home/alice");
    EXPECT_EQ(m.kind, local::MailboxKind::maildir);
    EXPECT_EQ(m.path, "/home/alice/Maildir/");
    m = local::mailbox_for("Mailbox", "/var/mail", "alice", "/home/alice/");
    EXPECT_EQ(m.kind, local::MailboxKind::mbox);
    EXPECT_EQ(m.path, "/home/alice/Mailbox");
}

TEST(Mailbox, SpoolTrailingSlashMeansMaildir) {
    auto m = local::mailbox_for("", "/var/mail", "alice", "/home/alice");
    EXPECT_EQ(m.kind, local::MailboxKind::mbox);
    EXPECT_EQ(m.path, "/var/mail/alice");
    m = local::mailbox_for("", "/var/mail/", "alice", "/home/alice");
    EXPECT_EQ(m.kind, local::MailboxKind::maildir);
    EXPECT_EQ(m.path, "/var/mail/alice/");
}

TEST(LocalName, FoldsCaseAndStripsExtension) {
    auto n = local::local_name("Alice+Work@Example.org", "+");
    EXPECT_EQ(n.user, "alice");
    EXPECT_EQ(n.extension, "Work");
    EXPECT_EQ(n.domain, "Example.org");
    n = local::local_name("bob+x", "");
    EXPECT_EQ(n.user, "bob+x");
    EXPECT_EQ(n.extension, "");
    EXPECT_EQ(n.domain, "");
}

TEST(Mbox, QuotesFromAtLineStartAcrossChunks) {
    local::MboxQuoter q;
    std::string out;
    q.feed("From a\nxFrom b\nFr", out);
    q.feed("om c\n>From d\nFro", out);
    q.finish(out);
    EXPECT_EQ(out, ">From a\nxFrom b\n>From c\n>From d\nFro\n");
}

TEST(Mbox, MessageEndingInNewlineGetsNoExtraLine) {
    local::MboxQuoter q;
    std::string out;
    q.feed("a\nb\n", out);
    q.finish(out);
    EXPECT_EQ(out, "a\nb\n");
}

TEST(Mbox, FromLineNamesSenderOrMailerDaemon) {
    ::setenv("TZ", "UTC", 1);
    EXPECT_EQ(local::mbox_from_line("a@b", 0), "From a@b  Thu Jan  1 00:00:00 1970\n");
    EXPECT_EQ(local::mbox_from_line("", 0), "From MAILER-DAEMON  Thu Jan  1 00:00:00 1970\n");
}

TEST(Channel, AskRoundTripsAndRejectsPathsInIds) {
    qmgr::DeliveryAsk a{"ABC123", 42, {0, 2}};
    auto d = qmgr::decode_ask(qmgr::encode_ask(a));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->queue_id, "ABC123");
    EXPECT_EQ(d->active_us, 42u);
    EXPECT_EQ(d->recipients, (std::vector<size_t>{0, 2}));
    EXPECT_FALSE(qmgr::decode_ask("queue_id=../x\n"));
    EXPECT_FALSE(qmgr::decode_ask("queue_id=A\nrcpt=1")); // cut short
}

TEST(Channel, AnswerNeedsStatusMatchingItsDsn) {
    auto a = qmgr::decode_answer("3 sent 2.0.0 delivered to maildir");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->index, 3u);
    EXPECT_EQ(a->outcome, qmgr::Outcome::sent);
    EXPECT_EQ(a->text, "delivered to maildir");
    EXPECT_FALSE(qmgr::decode_answer("3 sent 4.3.0 oops"));
    EXPECT_FALSE(qmgr::decode_answer("x sent 2.0.0 y"));
    EXPECT_FALSE(qmgr::decode_answer("1 maybe 2.0.0 y"));
    EXPECT_EQ(qmgr::worse(qmgr::Outcome::sent, qmgr::Outcome::deferred), qmgr::Outcome::deferred);
    EXPECT_EQ(qmgr::worse(qmgr::Outcome::bounced, qmgr::Outcome::sent), qmgr::Outcome::bounced);
}

TEST(DeliveryLog, PostfixShape) {
    EXPECT_EQ(qmgr::format_delay(0.004), "0");
    EXPECT_EQ(qmgr::format_delay(0.123), "0.12");
    EXPECT_EQ(qmgr::format_delay(0.5), "0.5");
    EXPECT_EQ(qmgr::format_delay(1.47), "1.4");
    EXPECT_EQ(qmgr::format_delay(3604.2), "3604");
    qmgr::DeliveryLine l{"ID", "alice@x", "team@x", "local", 0.12, 0.05, 0.01, 0, 0.06, "2.0.0", "sent",
                         "delivered to maildir"};
    EXPECT_EQ(qmgr::format_delivery_line(l),
              "ID: to=<alice@x>, orig_to=<team@x>, relay=local, delay=0.12, delays=0.05/0.01/0/0.06, "
              "dsn=2.0.0, status=sent (delivered to maildir)");
}
