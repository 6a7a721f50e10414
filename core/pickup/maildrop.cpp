// maildrop.cpp - see maildrop.h.
#include "pickup/maildrop.h"

#include "queue/durable.h"
#include "queue/queue_dirs.h"
#include "queue/queue_id.h"

#include <sys/stat.h>

#include <cerrno>

namespace ferry::pickup {

queue::Status MaildropWriter::open(const std::string &queue_directory, const queue::Envelope &envelope,
                                   std::uint64_t size_limit) {
    std::string dir = queue::join_path(queue_directory, queue::maildrop_dir);
    auto st = writer_.open(dir, queue::new_queue_id(), envelope, size_limit);
    if (!st.ok()) return st;
    if (::chmod(writer_.temp_path().c_str(), 0644) != 0) {
        int err = errno;
        writer_.abort();
        return queue::io_error("chmod", writer_.temp_path(), err);
    }
    return st;
}

queue::Status MaildropWriter::append(std::string_view content) { return writer_.append(content); }

queue::Status MaildropWriter::finish() { return writer_.finish(); }

} // namespace ferry::pickup
