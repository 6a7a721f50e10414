// queue_file_reader.h - reads a queue file's envelope and locates its
// content, checking the whole layout of docs/queue-format.md on the way.
//
// The content itself is not read: content_offset() and content_size() let a
// deliverer read it from fd(), or hand fd() to another process.  Every
// problem is a Status whose text names the file: a file that is not a queue
// file, an unsupported version, a bad record, a truncated file.
#pragma once

#include "queue/queue_file.h"
#include "queue/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::queue {

class QueueFileReader {
public:
    enum class Mode { read_only, read_write };

    QueueFileReader() = default;
    QueueFileReader(const QueueFileReader &) = delete;
    QueueFileReader &operator=(const QueueFileReader &) = delete;
    ~QueueFileReader();

    // Opens and checks path.  read_write is needed for mark_recipient_done.
    Status open(const std::string &path, Mode mode = Mode::read_only);
    void close();

    const std::string &path() const { return path_; }
    const std::string &queue_id() const { return queue_id_; }
    const Envelope &envelope() const { return envelope_; }
    int fd() const { return fd_; }
    std::uint64_t content_offset() const { return content_offset_; }
    std::uint64_t content_size() const { return content_size_; }
    std::uint64_t file_size() const { return file_size_; }

    // Marks recipient `index` (envelope().recipients order) done, in place,
    // and syncs the file, so a restart does not deliver to it again.
    Status mark_recipient_done(size_t index);

private:
    Status corrupt(const std::string &what) const;
    Status read_at(std::uint64_t offset, size_t size, std::string &out);

    int fd_ = -1;
    std::string path_, queue_id_;
    Envelope envelope_;
    std::vector<std::uint64_t> state_offsets_; // per recipient
    std::uint64_t content_offset_ = 0, content_size_ = 0, file_size_ = 0;
};

} // namespace ferry::queue
