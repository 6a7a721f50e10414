// queue_file_writer.cpp - see queue_file_writer.h.
#include "queue/queue_file_writer.h"

#include "queue/queue_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::queue {

QueueFileWriter::~QueueFileWriter() { abort(); }

Status QueueFileWriter::open(const std::string &directory, const std::string &queue_id,
                             const Envelope &envelope, std::uint64_t size_limit,
                             size_t buffer_size) {
    if (Status s = name(directory, queue_id, size_limit); !s) return s;
    std::string path = temp_path();
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return io_error("create", path, errno);
    return start(envelope, buffer_size);
}

Status QueueFileWriter::open_created(int fd, const std::string &directory, const std::string &queue_id,
                                     const Envelope &envelope, std::uint64_t size_limit,
                                     size_t buffer_size) {
    if (Status s = name(directory, queue_id, size_limit); !s) {
        ::close(fd);
        return s;
    }
    fd_ = fd;
    return start(envelope, buffer_size);
}

Status QueueFileWriter::open_anonymous(int fd, const std::string &queue_id, const Envelope &envelope,
                                       std::uint64_t size_limit) {
    if (Status s = name("(anonymous)", queue_id, size_limit); !s) {
        ::close(fd);
        return s;
    }
    anonymous_ = true;
    fd_ = fd;
    return start(envelope, default_buffer_size);
}

Status QueueFileWriter::name(const std::string &directory, const std::string &queue_id,
                             std::uint64_t size_limit) {
    if (state_ != State::closed)
        return {StatusCode::invalid, "queue file writer for " + queue_id_ + " is already open"};
    if (!is_valid_queue_id(queue_id))
        return {StatusCode::invalid, "bad queue id \"" + queue_id + "\""};
    directory_ = directory;
    queue_id_ = queue_id;
    temp_name_ = queue_id + ".tmp";
    size_limit_ = size_limit;
    return Status::success();
}

// The file is open: write the envelope.
Status QueueFileWriter::start(const Envelope &envelope, size_t buffer_size) {
    state_ = State::writing;
    buffer_size_ = buffer_size < 4096 ? 4096 : buffer_size;
    buffer_ = std::make_unique_for_overwrite<char[]>(buffer_size_);
    buffered_ = 0;
    content_size_ = 0;
    file_size_ = 0;

    std::string head = encode_envelope(queue_id_, envelope);
    message_offset_ = head.size();
    // The message length is patched in by complete(), once it is known.
    head += record_header(record::message, 0);
    if (size_limit_ > 0 && head.size() > size_limit_)
        return fail({StatusCode::too_big, "queue file " + temp_path() + ": message size limit of " +
                                              std::to_string(size_limit_) +
                                              " bytes exceeded by the envelope"});
    return put(head);
}

Status QueueFileWriter::append(std::string_view content) {
    if (state_ == State::failed) return failure_;
    if (state_ != State::writing)
        return {StatusCode::invalid, "queue file writer for " + queue_id_ + " is not open"};
    if (size_limit_ > 0 && file_size_ + content.size() > size_limit_)
        return fail({StatusCode::too_big, "queue file " + temp_path() +
                                              ": message size limit of " +
                                              std::to_string(size_limit_) + " bytes exceeded"});
    content_size_ += content.size();
    return put(content);
}

Status QueueFileWriter::put(std::string_view bytes) {
    file_size_ += bytes.size();
    if (buffered_ + bytes.size() <= buffer_size_) {
        std::memcpy(buffer_.get() + buffered_, bytes.data(), bytes.size());
        buffered_ += bytes.size();
        return Status::success();
    }
    if (Status s = flush(); !s) return s;
    if (bytes.size() < buffer_size_) {
        std::memcpy(buffer_.get(), bytes.data(), bytes.size());
        buffered_ = bytes.size();
        return Status::success();
    }
    // A large piece goes straight to the file, without a copy.
    if (Status s = write_all(fd_, bytes.data(), bytes.size(), temp_path()); !s) return fail(s);
    return Status::success();
}

Status QueueFileWriter::flush() {
    if (buffered_ == 0) return Status::success();
    Status s = write_all(fd_, buffer_.get(), buffered_, temp_path());
    buffered_ = 0;
    if (!s) return fail(s);
    return Status::success();
}

Status QueueFileWriter::complete() {
    if (state_ == State::failed) return failure_;
    if (state_ != State::writing)
        return {StatusCode::invalid, "queue file writer for " + queue_id_ + " is not open"};
    if (Status s = put(record_header(record::end, 0)); !s) return s;
    if (Status s = flush(); !s) return s;
    std::string length = record_header(record::message, content_size_);
    if (Status s = pwrite_all(fd_, length.data(), length.size(),
                              static_cast<long long>(message_offset_), temp_path());
        !s)
        return fail(s);
    return Status::success();
}

Status QueueFileWriter::finish() {
    SealedFile sealed;
    if (Status s = seal(sealed); !s) return s;
    return commit_sealed_file(sealed);
}

Status QueueFileWriter::seal(SealedFile &out) {
    if (Status s = complete(); !s) return s;
    out = SealedFile(fd_, directory_, anonymous_ ? std::string() : temp_name_, queue_id_);
    fd_ = -1;
    state_ = State::done;
    buffer_.reset();
    return Status::success();
}

Status QueueFileWriter::fail(Status status) {
    // Stop writing at once: a too-big or failing message takes no more disk.
    if (fd_ >= 0) {
        ::close(fd_);
        if (!anonymous_) ::unlink(temp_path().c_str());
        fd_ = -1;
    }
    buffer_.reset();
    buffered_ = 0;
    state_ = State::failed;
    failure_ = status;
    return status;
}

void QueueFileWriter::abort() {
    if (fd_ >= 0) {
        ::close(fd_);
        if (!anonymous_) ::unlink(temp_path().c_str());
        fd_ = -1;
    }
    buffer_.reset();
    buffered_ = 0;
    if (state_ == State::writing) state_ = State::closed;
}

} // namespace ferry::queue
