// The queue file: written while the message streams in, read back with its
// envelope, and every kind of damage reported with the file's name.
#include "queue/queue_dirs.h"
#include "queue/queue_file_reader.h"
#include "queue/queue_file_writer.h"
#include "queue/queue_id.h"
#include "queue_test_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace ferry::queue;
using ferry::test::ScratchDir;
using ferry::test::read_whole;
using ferry::test::write_whole;

namespace {

Envelope sample_envelope() {
    Envelope env;
    env.arrival_us = 1700000000123456;
    env.sender = "alice@example.org";
    env.recipients.push_back({"bob@example.com", "rfc822;bob@example.com",
                              notify_success | notify_failure, false});
    env.recipients.push_back({"carol@example.net", "", notify_never, false});
    env.recipients.push_back({"dave@example.net", "", 0, false});
    env.envid = "QQ314159";
    env.ret = DsnRet::hdrs;
    env.client_name = "mail.example.org";
    env.client_address = "192.0.2.7";
    env.helo_name = "mail.example.org";
    env.protocol = "ESMTP";
    env.smtputf8 = true;
    env.body = BodyType::eight_bit_mime;
    return env;
}

const std::string content = "Subject: test\nFrom: alice@example.org\n\nHello.\n.leading dot\n";

// Writes and commits a queue file; returns its path.
std::string write_queue_file(const std::string &dir, const Envelope &env,
                             const std::string &body = content) {
    QueueFileWriter w;
    std::string id = new_queue_id();
    EXPECT_TRUE(w.open(dir, id, env, 0));
    EXPECT_TRUE(w.append(body));
    Status s = w.finish();
    EXPECT_TRUE(s) << s.text();
    return dir + "/" + id;
}

std::string read_content(const QueueFileReader &r) {
    std::string out(r.content_size(), '\0');
    EXPECT_EQ(::pread(r.fd(), out.data(), out.size(), static_cast<off_t>(r.content_offset())),
              static_cast<ssize_t>(out.size()));
    return out;
}

Status open_status(const std::string &path) {
    QueueFileReader r;
    return r.open(path);
}

} // namespace

TEST(QueueFile, RoundTripsEnvelopeAndContent) {
    ScratchDir tmp;
    Envelope env = sample_envelope();
    std::string path = write_queue_file(tmp.path(), env);

    QueueFileReader r;
    Status s = r.open(path);
    ASSERT_TRUE(s) << s.text();
    EXPECT_EQ(r.queue_id(), path.substr(path.rfind('/') + 1));
    const Envelope &got = r.envelope();
    EXPECT_EQ(got.arrival_us, env.arrival_us);
    EXPECT_EQ(got.sender, env.sender);
    ASSERT_EQ(got.recipients.size(), 3u);
    EXPECT_EQ(got.recipients[0].address, "bob@example.com");
    EXPECT_EQ(got.recipients[0].orcpt, "rfc822;bob@example.com");
    EXPECT_EQ(got.recipients[0].notify, notify_success | notify_failure);
    EXPECT_EQ(got.recipients[1].notify, notify_never);
    EXPECT_EQ(got.recipients[2].notify, 0);
    EXPECT_FALSE(got.recipients[0].done);
    EXPECT_EQ(got.envid, "QQ314159");
    EXPECT_EQ(got.ret, DsnRet::hdrs);
    EXPECT_EQ(got.client_name, "mail.example.org");
    EXPECT_EQ(got.client_address, "192.0.2.7");
    EXPECT_EQ(got.helo_name, "mail.example.org");
    EXPECT_EQ(got.protocol, "ESMTP");
    EXPECT_TRUE(got.smtputf8);
    EXPECT_EQ(got.body, BodyType::eight_bit_mime);
    EXPECT_EQ(r.content_size(), content.size());
    EXPECT_EQ(read_content(r), content);
}

TEST(QueueFile, NullSenderAndMinimalEnvelope) {
    ScratchDir tmp;
    Envelope env;
    env.recipients.push_back({"postmaster@example.com", "", 0, false});
    std::string path = write_queue_file(tmp.path(), env, "");
    QueueFileReader r;
    ASSERT_TRUE(r.open(path));
    EXPECT_EQ(r.envelope().sender, "");
    EXPECT_EQ(r.envelope().ret, DsnRet::unspecified);
    EXPECT_EQ(r.envelope().body, BodyType::unspecified);
    EXPECT_FALSE(r.envelope().smtputf8);
    EXPECT_EQ(r.content_size(), 0u);
}

TEST(QueueFile, UnknownAttributesSurvive) {
    ScratchDir tmp;
    Envelope env = sample_envelope();
    env.other_attributes["sasl_username"] = "alice";
    QueueFileReader r;
    ASSERT_TRUE(r.open(write_queue_file(tmp.path(), env)));
    EXPECT_EQ(r.envelope().other_attributes.at("sasl_username"), "alice");
}

TEST(QueueFile, StreamsLargeContentInPieces) {
    ScratchDir tmp;
    QueueFileWriter w;
    std::string id = new_queue_id();
    ASSERT_TRUE(w.open(tmp.path(), id, sample_envelope(), 0, 4096));
    std::string line(999, 'x');
    line += '\n';
    std::string expected;
    for (int i = 0; i < 3000; ++i) { // 3 MB through a 4 KB buffer
        ASSERT_TRUE(w.append(line));
        expected += line;
    }
    std::string big(100000, 'y'); // larger than the buffer: written directly
    ASSERT_TRUE(w.append(big));
    expected += big;
    ASSERT_TRUE(w.finish());
    QueueFileReader r;
    ASSERT_TRUE(r.open(tmp / id));
    EXPECT_EQ(r.content_size(), expected.size());
    EXPECT_EQ(read_content(r), expected);
}

TEST(QueueFile, InvisibleUnderQueueIdUntilFinished) {
    ScratchDir tmp;
    QueueFileWriter w;
    std::string id = new_queue_id();
    ASSERT_TRUE(w.open(tmp.path(), id, sample_envelope(), 0));
    ASSERT_TRUE(w.append(content));
    EXPECT_FALSE(std::filesystem::exists(tmp / id));
    EXPECT_TRUE(std::filesystem::exists(tmp / (id + ".tmp")));
    ASSERT_TRUE(w.finish());
    EXPECT_TRUE(std::filesystem::exists(tmp / id));
    EXPECT_FALSE(std::filesystem::exists(tmp / (id + ".tmp")));
}

// What the smtpd's worker pool does before DATA: an empty <id>.tmp.
int create_temp(const std::string &temp) {
    return ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

TEST(QueueFile, WritesIntoATemporaryFileCreatedElsewhere) {
    ScratchDir tmp;
    std::string id = new_queue_id();
    std::string temp = tmp / (id + ".tmp");
    int fd = create_temp(temp);
    ASSERT_GE(fd, 0);
    QueueFileWriter w;
    ASSERT_TRUE(w.open_created(fd, tmp.path(), id, sample_envelope(), 0));
    ASSERT_TRUE(w.append(content));
    EXPECT_FALSE(std::filesystem::exists(tmp / id));
    ASSERT_TRUE(w.finish());
    QueueFileReader r;
    ASSERT_TRUE(r.open(tmp / id));
    EXPECT_EQ(r.envelope().sender, "alice@example.org");
    EXPECT_EQ(read_content(r), content);
    EXPECT_FALSE(std::filesystem::exists(temp));
}

TEST(QueueFile, AbandonedWriterRemovesAFileCreatedElsewhere) {
    ScratchDir tmp;
    std::string id = new_queue_id();
    int fd = create_temp(tmp / (id + ".tmp"));
    ASSERT_GE(fd, 0);
    {
        QueueFileWriter w;
        ASSERT_TRUE(w.open_created(fd, tmp.path(), id, sample_envelope(), 0));
        ASSERT_TRUE(w.append(content));
    }
    EXPECT_EQ(ferry::test::count_files(tmp.path()), 0u);
}

// sendmail's copy for postdrop: a memfd, whole after seal(), never a name.
TEST(QueueFile, AnonymousFileIsCompleteAfterSeal) {
    ScratchDir tmp;
    std::string id = new_queue_id();
    int fd = ::memfd_create("queue-file-test", MFD_CLOEXEC);
    ASSERT_GE(fd, 0);
    QueueFileWriter w;
    ASSERT_TRUE(w.open_anonymous(fd, id, sample_envelope(), 0));
    ASSERT_TRUE(w.append(content));
    SealedFile sealed;
    ASSERT_TRUE(w.seal(sealed));
    std::string bytes;
    char buf[4096];
    ssize_t n;
    for (off_t at = 0; (n = ::pread(sealed.fd(), buf, sizeof buf, at)) > 0; at += n) bytes.append(buf, static_cast<size_t>(n));
    write_whole(tmp / id, bytes);
    QueueFileReader r;
    ASSERT_TRUE(r.open(tmp / id));
    EXPECT_EQ(r.queue_id(), id);
    EXPECT_EQ(read_content(r), content);
}

TEST(QueueFile, AbandonedAnonymousWriterRemovesNoFile) {
    ScratchDir tmp;
    std::string id = new_queue_id();
    // What a name-based writer would remove, were the label a directory.
    std::filesystem::create_directory(tmp / "(anonymous)");
    std::string bystander = tmp / ("(anonymous)/" + id + ".tmp");
    write_whole(bystander, "someone else's");
    auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(tmp.path());
    {
        QueueFileWriter w;
        ASSERT_TRUE(w.open_anonymous(::memfd_create("queue-file-test", MFD_CLOEXEC), id, sample_envelope(), 0));
        EXPECT_TRUE(w.append(content));
    } // abandoned: abort()
    std::filesystem::current_path(cwd);
    EXPECT_EQ(read_whole(bystander), "someone else's");
}

TEST(QueueFile, AbandonedWriterLeavesNothing) {
    ScratchDir tmp;
    {
        QueueFileWriter w;
        ASSERT_TRUE(w.open(tmp.path(), new_queue_id(), sample_envelope(), 0));
        ASSERT_TRUE(w.append(content));
    }
    EXPECT_EQ(ferry::test::count_files(tmp.path()), 0u);
}

TEST(QueueFile, SizeLimitStopsWritingAndReportsTooBig) {
    ScratchDir tmp;
    QueueFileWriter w;
    std::string id = new_queue_id();
    ASSERT_TRUE(w.open(tmp.path(), id, sample_envelope(), 2000));
    std::string chunk(500, 'a');
    Status s;
    int accepted = 0;
    while ((s = w.append(chunk))) ++accepted;
    EXPECT_EQ(s.code(), StatusCode::too_big);
    EXPECT_NE(s.text().find("message size limit of 2000 bytes exceeded"), std::string::npos)
        << s.text();
    EXPECT_NE(s.text().find(id), std::string::npos) << s.text();
    EXPECT_LE(w.file_size(), 2000u);
    EXPECT_GE(accepted, 1);
    // Later appends and finish keep saying too big; nothing is left on disk.
    EXPECT_EQ(w.append("x").code(), StatusCode::too_big);
    EXPECT_EQ(w.finish().code(), StatusCode::too_big);
    EXPECT_EQ(ferry::test::count_files(tmp.path()), 0u);
}

TEST(QueueFile, SizeLimitCountsTheEnvelope) {
    ScratchDir tmp;
    QueueFileWriter w;
    Status s = w.open(tmp.path(), new_queue_id(), sample_envelope(), 50);
    EXPECT_EQ(s.code(), StatusCode::too_big) << s.text();
    EXPECT_EQ(ferry::test::count_files(tmp.path()), 0u);
}

TEST(QueueFile, MessageExactlyAtTheLimitIsAccepted) {
    ScratchDir tmp;
    QueueFileWriter probe;
    std::string id = new_queue_id();
    ASSERT_TRUE(probe.open(tmp.path(), id, sample_envelope(), 0));
    std::uint64_t head = probe.file_size();
    probe.abort();
    QueueFileWriter w;
    ASSERT_TRUE(w.open(tmp.path(), id, sample_envelope(), head + 10));
    EXPECT_TRUE(w.append("0123456789"));
    EXPECT_EQ(w.append("!").code(), StatusCode::too_big);
}

TEST(QueueFile, BadQueueIdIsRefused) {
    ScratchDir tmp;
    QueueFileWriter w;
    Status s = w.open(tmp.path(), "../escape", sample_envelope(), 0);
    EXPECT_EQ(s.code(), StatusCode::invalid);
    EXPECT_NE(s.text().find("../escape"), std::string::npos);
}

TEST(QueueFile, MissingDirectoryIsAnErrorNamingTheFile) {
    ScratchDir tmp;
    QueueFileWriter w;
    std::string id = new_queue_id();
    Status s = w.open(tmp / "incoming", id, sample_envelope(), 0);
    EXPECT_EQ(s.code(), StatusCode::io_error);
    EXPECT_NE(s.text().find(tmp / "incoming/" + id + ".tmp"), std::string::npos) << s.text();
    EXPECT_NE(s.text().find("No such file or directory"), std::string::npos) << s.text();
}

TEST(QueueFile, DiskFullWhileStreamingIsAnIoErrorAndLeavesNothing) {
    // RLIMIT_FSIZE makes write() fail with EFBIG, like a full disk would
    // fail with ENOSPC; SIGXFSZ must be ignored for that.
    ScratchDir tmp;
    struct rlimit old {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 64 * 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    QueueFileWriter w;
    Status s = w.open(tmp.path(), new_queue_id(), sample_envelope(), 0, 4096);
    std::string chunk(4096, 'z');
    for (int i = 0; s && i < 100; ++i) s = w.append(chunk);
    if (s) s = w.finish();
    ::setrlimit(RLIMIT_FSIZE, &old);
    ::signal(SIGXFSZ, old_handler);
    EXPECT_EQ(s.code(), StatusCode::io_error);
    EXPECT_NE(s.text().find("write " + tmp.path()), std::string::npos) << s.text();
    EXPECT_NE(s.text().find("File too large"), std::string::npos) << s.text();
    EXPECT_EQ(ferry::test::count_files(tmp.path()), 0u);
}

TEST(QueueFile, FinishNeverOverwritesAnExistingQueueFile) {
    ScratchDir tmp;
    std::string id = new_queue_id();
    write_whole(tmp / id, "restored from backup");
    QueueFileWriter w;
    ASSERT_TRUE(w.open(tmp.path(), id, sample_envelope(), 0));
    Status s = w.finish();
    EXPECT_EQ(s.code(), StatusCode::exists);
    EXPECT_NE(s.text().find(tmp / id), std::string::npos) << s.text();
    EXPECT_EQ(read_whole(tmp / id), "restored from backup");
    EXPECT_FALSE(std::filesystem::exists(tmp / (id + ".tmp")));
}

TEST(QueueFile, MarkRecipientDoneUpdatesInPlace) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    auto size = std::filesystem::file_size(path);
    {
        QueueFileReader r;
        ASSERT_TRUE(r.open(path, QueueFileReader::Mode::read_write));
        Status s = r.mark_recipient_done(1);
        ASSERT_TRUE(s) << s.text();
        EXPECT_TRUE(r.envelope().recipients[1].done);
        EXPECT_EQ(r.mark_recipient_done(3).code(), StatusCode::invalid);
    }
    EXPECT_EQ(std::filesystem::file_size(path), size);
    QueueFileReader r;
    ASSERT_TRUE(r.open(path));
    EXPECT_FALSE(r.envelope().recipients[0].done);
    EXPECT_TRUE(r.envelope().recipients[1].done);
    EXPECT_FALSE(r.envelope().recipients[2].done);
    EXPECT_EQ(read_content(r), content);
}

TEST(QueueFile, MarkRecipientDoneNeedsReadWrite) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    QueueFileReader r;
    ASSERT_TRUE(r.open(path));
    Status s = r.mark_recipient_done(0);
    EXPECT_EQ(s.code(), StatusCode::io_error);
    EXPECT_NE(s.text().find(path), std::string::npos) << s.text();
}

// --- Damaged files.  Each error names the file and what is wrong.

TEST(QueueFileCorrupt, EveryTruncationIsDetected) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    std::string whole = read_whole(path);
    for (size_t len = 0; len < whole.size(); ++len) {
        write_whole(path, whole.substr(0, len));
        Status s = open_status(path);
        ASSERT_EQ(s.code(), StatusCode::corrupt) << "length " << len;
        ASSERT_NE(s.text().find("queue file " + path + ": corrupt"), std::string::npos)
            << s.text();
    }
    write_whole(path, whole);
    EXPECT_TRUE(open_status(path));
}

TEST(QueueFileCorrupt, TruncatedFileSaysTruncated) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    std::string whole = read_whole(path);
    write_whole(path, whole.substr(0, whole.size() - 5));
    Status s = open_status(path);
    EXPECT_NE(s.text().find("truncated"), std::string::npos) << s.text();
}

TEST(QueueFileCorrupt, TrailingBytesAfterEndRecord) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    write_whole(path, read_whole(path) + "junk");
    Status s = open_status(path);
    EXPECT_EQ(s.code(), StatusCode::corrupt);
    EXPECT_NE(s.text().find("4 bytes after the end record"), std::string::npos) << s.text();
}

TEST(QueueFileCorrupt, WrongVersionIsNamed) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    std::string whole = read_whole(path);
    ASSERT_EQ(whole[0], 'V');
    ASSERT_EQ(whole[9], '1');
    whole[9] = '2';
    write_whole(path, whole);
    Status s = open_status(path);
    EXPECT_EQ(s.code(), StatusCode::corrupt);
    EXPECT_NE(s.text().find(path + ": unsupported format version 2 (this Ferry reads version 1)"),
              std::string::npos)
        << s.text();
}

TEST(QueueFileCorrupt, NotAQueueFile) {
    ScratchDir tmp;
    std::string path = tmp / "ABCDEF";
    write_whole(path, "From alice@example.org Mon Jan  1 00:00:00 2024\nSubject: x\n\nhi\n");
    Status s = open_status(path);
    EXPECT_EQ(s.code(), StatusCode::corrupt);
    EXPECT_NE(s.text().find("not a Ferry queue file"), std::string::npos) << s.text();
}

TEST(QueueFileCorrupt, UnknownRecordType) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    std::string whole = read_whole(path);
    // The queue id record follows the 10-byte version record.
    ASSERT_EQ(whole[10], 'Q');
    whole[10] = 'x';
    write_whole(path, whole);
    Status s = open_status(path);
    EXPECT_NE(s.text().find("unknown record type (record 'x' at offset 10)"), std::string::npos)
        << s.text();
}

TEST(QueueFileCorrupt, HugeRecordLengthIsRefusedWithoutAllocating) {
    ScratchDir tmp;
    std::string path = tmp / "X";
    std::string data = record_header(record::version, 1) + "1" +
                       record_header(record::sender, 5'000'000'000ULL) + std::string(100, 's');
    write_whole(path, data);
    Status s = open_status(path);
    EXPECT_EQ(s.code(), StatusCode::corrupt);
    EXPECT_NE(s.text().find("claims 5000000000 bytes"), std::string::npos) << s.text();
}

TEST(QueueFileCorrupt, BadRecipientStateByte) {
    ScratchDir tmp;
    std::string path = write_queue_file(tmp.path(), sample_envelope());
    std::string whole = read_whole(path);
    size_t r = whole.find("bob@example.com") - 2; // state, notify, address
    ASSERT_EQ(whole[r], 'P');
    whole[r] = '?';
    write_whole(path, whole);
    Status s = open_status(path);
    EXPECT_NE(s.text().find("bad recipient state byte"), std::string::npos) << s.text();
}

TEST(QueueFileCorrupt, MissingFileNamesItAndTheCause) {
    ScratchDir tmp;
    Status s = open_status(tmp / "NOSUCH");
    EXPECT_EQ(s.code(), StatusCode::io_error);
    EXPECT_EQ(s.text(), "open " + (tmp / "NOSUCH") + ": No such file or directory");
}
