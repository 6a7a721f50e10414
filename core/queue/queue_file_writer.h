// queue_file_writer.h - writes one queue file while the message arrives.
//
// The file is created under a temporary name (`<id>.tmp`, which no queue
// scan takes for a queue id) in the given directory, normally `incoming`.
// Content is streamed through a fixed buffer, so memory stays bounded
// whatever the message size; message_size_limit is enforced while streaming.
// The file becomes visible under its queue id only after it is durable:
// either by finish() (one message: fsync, rename, fsync directory) or by
// handing seal()'s result to a GroupCommitter (many messages share syncs).
//
// Content is stored exactly as the caller passes it.  The SMTP server passes
// it after dot-unstuffing with every line ending in LF (CRLF converted), the
// form local deliverers and pipes want; see docs/queue-format.md.
#pragma once

#include "queue/durable.h"
#include "queue/queue_file.h"
#include "queue/status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ferry::queue {

class QueueFileWriter {
public:
    static constexpr size_t default_buffer_size = 64 * 1024;

    QueueFileWriter() = default;
    QueueFileWriter(const QueueFileWriter &) = delete;
    QueueFileWriter &operator=(const QueueFileWriter &) = delete;
    // Removes the temporary file if the writer was neither finished nor
    // sealed: an abandoned message leaves nothing behind.
    ~QueueFileWriter();

    // Creates the temporary file and writes the envelope.  size_limit is
    // message_size_limit (0: none) and counts the whole file: envelope and
    // content, as Postfix counts it.
    Status open(const std::string &directory, const std::string &queue_id,
                const Envelope &envelope, std::uint64_t size_limit,
                size_t buffer_size = default_buffer_size);
    // The same, for a temporary file that another thread has already
    // created, empty, as `<queue_id>.tmp` in directory (so the event loop
    // need not make that blocking call).  From here on the writer owns the
    // file as if it had created it; if it refuses it (bad id, already open)
    // it closes fd and the caller removes the file.
    Status open_created(int fd, const std::string &directory, const std::string &queue_id,
                        const Envelope &envelope, std::uint64_t size_limit,
                        size_t buffer_size = default_buffer_size);

    // The same for a file without a name (a memfd: sendmail's copy for
    // postdrop), which the writer never removes; seal() hands over the
    // descriptor, the file starting at offset 0.
    Status open_anonymous(int fd, const std::string &queue_id, const Envelope &envelope,
                          std::uint64_t size_limit);

    // Appends content.  Once the limit would be exceeded it returns too_big,
    // writes nothing more, and every later call returns too_big too.
    Status append(std::string_view content);

    // Completes the file and commits it alone (fsync, rename, fsync dir).
    Status finish();

    // Completes the file (content length, end record) without syncing, and
    // hands it over for a GroupCommitter.  The writer is then done.
    Status seal(SealedFile &out);

    // Removes the temporary file.
    void abort();

    const std::string &queue_id() const { return queue_id_; }
    std::string temp_path() const { return join_path(directory_, temp_name_); }
    std::string final_path() const { return join_path(directory_, queue_id_); }
    std::uint64_t content_size() const { return content_size_; }
    // Bytes of the file so far (what the size limit is checked against).
    std::uint64_t file_size() const { return file_size_; }

private:
    Status name(const std::string &directory, const std::string &queue_id, std::uint64_t size_limit);
    Status start(const Envelope &envelope, size_t buffer_size);
    Status put(std::string_view bytes);
    Status flush();
    Status complete();
    Status fail(Status status);

    enum class State { closed, writing, failed, done };
    State state_ = State::closed;
    Status failure_;
    int fd_ = -1;
    bool anonymous_ = false; // no name to remove
    std::string directory_, queue_id_, temp_name_;
    std::uint64_t size_limit_ = 0;
    std::uint64_t message_offset_ = 0; // where the 'M' record starts
    std::uint64_t content_size_ = 0;
    std::uint64_t file_size_ = 0;      // bytes written or buffered
    std::unique_ptr<char[]> buffer_; // not zeroed: only buffered_ bytes are read
    size_t buffer_size_ = 0;
    size_t buffered_ = 0;
};

} // namespace ferry::queue
