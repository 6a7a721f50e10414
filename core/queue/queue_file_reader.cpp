// queue_file_reader.cpp - see queue_file_reader.h.
#include "queue/queue_file_reader.h"

#include "queue/durable.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

namespace ferry::queue {
namespace {

std::string type_name(char type) {
    unsigned char c = static_cast<unsigned char>(type);
    if (c >= 0x21 && c < 0x7f) return std::string("'") + type + "'";
    char buf[8];
    std::snprintf(buf, sizeof(buf), "0x%02x", c);
    return buf;
}

} // namespace

QueueFileReader::~QueueFileReader() { close(); }

void QueueFileReader::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

Status QueueFileReader::corrupt(const std::string &what) const {
    return {StatusCode::corrupt, "queue file " + path_ + ": corrupt: " + what};
}

Status QueueFileReader::read_at(std::uint64_t offset, size_t size, std::string &out) {
    out.resize(size);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::pread(fd_, out.data() + done, size - done,
                            static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("read", path_, errno);
        }
        if (n == 0) return corrupt("file ends inside a record at offset " + std::to_string(offset));
        done += static_cast<size_t>(n);
    }
    return Status::success();
}

Status QueueFileReader::open(const std::string &path, Mode mode) {
    close();
    path_ = path;
    queue_id_.clear();
    envelope_ = Envelope{};
    state_offsets_.clear();
    fd_ = ::open(path.c_str(), (mode == Mode::read_write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd_ < 0) return io_error("open", path, errno);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return io_error("stat", path, errno);
    file_size_ = static_cast<std::uint64_t>(st.st_size);

    std::uint64_t offset = 0;
    std::string header, data;
    bool first = true;
    for (;;) {
        if (file_size_ - offset < record_header_size)
            return corrupt(first ? "empty or too short to be a queue file"
                                 : "truncated: no message and end record after offset " +
                                       std::to_string(offset));
        if (Status s = read_at(offset, record_header_size, header); !s) return s;
        char type = header[0];
        std::uint64_t length =
            decode_length(reinterpret_cast<const unsigned char *>(header.data() + 1));
        std::uint64_t data_offset = offset + record_header_size;
        if (first && type != record::version)
            return corrupt("not a Ferry queue file (no version record)");
        if (length > file_size_ - data_offset)
            return corrupt("truncated: record " + type_name(type) + " at offset " +
                           std::to_string(offset) + " claims " + std::to_string(length) +
                           " bytes, file has " + std::to_string(file_size_ - data_offset));
        if (type == record::message) {
            content_offset_ = data_offset;
            content_size_ = length;
            offset = data_offset + length;
            break;
        }
        if (length > max_envelope_record)
            return corrupt("record " + type_name(type) + " at offset " + std::to_string(offset) +
                           " is too long (" + std::to_string(length) + " bytes)");
        if (Status s = read_at(data_offset, static_cast<size_t>(length), data); !s) return s;
        if (first) {
            int version = 0;
            auto [p, ec] = std::from_chars(data.data(), data.data() + data.size(), version);
            if (ec != std::errc() || p != data.data() + data.size())
                return corrupt("bad version record");
            if (version != queue_file_version)
                return {StatusCode::corrupt,
                        "queue file " + path_ + ": unsupported format version " +
                            std::to_string(version) + " (this Ferry reads version " +
                            std::to_string(queue_file_version) + ")"};
            first = false;
        } else {
            size_t before = envelope_.recipients.size();
            std::string problem = decode_envelope_record(type, data, envelope_, queue_id_);
            if (!problem.empty())
                return corrupt(problem + " (record " + type_name(type) + " at offset " +
                               std::to_string(offset) + ")");
            if (envelope_.recipients.size() != before) state_offsets_.push_back(data_offset);
        }
        offset = data_offset + length;
    }

    // The end record closes the file; nothing may follow it.
    if (file_size_ - offset < record_header_size)
        return corrupt("truncated: no end record after the message content");
    if (Status s = read_at(offset, record_header_size, header); !s) return s;
    std::uint64_t end_length = decode_length(reinterpret_cast<const unsigned char *>(header.data() + 1));
    if (header[0] != record::end || end_length != 0)
        return corrupt("record " + type_name(header[0]) + " at offset " + std::to_string(offset) +
                       " where the end record belongs");
    if (offset + record_header_size != file_size_)
        return corrupt(std::to_string(file_size_ - offset - record_header_size) +
                       " bytes after the end record");
    if (queue_id_.empty()) return corrupt("no queue id record");
    return Status::success();
}

Status QueueFileReader::mark_recipient_done(size_t index) {
    if (fd_ < 0) return {StatusCode::invalid, "queue file " + path_ + " is not open"};
    if (index >= state_offsets_.size())
        return {StatusCode::invalid, "queue file " + path_ + ": no recipient #" +
                                         std::to_string(index)};
    // One byte at a fixed place: the update cannot tear.
    char done = recipient_done;
    if (Status s = pwrite_all(fd_, &done, 1, static_cast<long long>(state_offsets_[index]), path_);
        !s)
        return s;
    if (Status s = sync_file(fd_, path_); !s) return s;
    envelope_.recipients[index].done = true;
    return Status::success();
}

} // namespace ferry::queue
