// queue_dirs.cpp - see queue_dirs.h.
#include "queue/queue_dirs.h"

#include "queue/durable.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>

namespace ferry::queue {

const std::vector<QueueDirSpec> &queue_dir_specs() {
    static const std::vector<QueueDirSpec> specs = {
        {maildrop_dir, 0730}, {incoming_dir, 0700}, {active_dir, 0700},
        {deferred_dir, 0700}, {hold_dir, 0700},     {corrupt_dir, 0700},
        {bounce_dir, 0700},   {defer_dir, 0700},
    };
    return specs;
}

namespace {

Status make_dir(const std::string &path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) == 0) {
        // mkdir applies the umask; the mode is part of the queue's contract.
        if (::chmod(path.c_str(), mode) != 0) return io_error("chmod", path, errno);
        return Status::success();
    }
    int err = errno;
    if (err != EEXIST) return io_error("create directory", path, err);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return io_error("stat", path, errno);
    if (!S_ISDIR(st.st_mode)) return io_error("create directory", path, ENOTDIR);
    return Status::success();
}

} // namespace

Status create_queue_dirs(const std::string &queue_directory) {
    if (Status s = make_dir(queue_directory, 0755); !s) return s;
    for (const auto &spec : queue_dir_specs()) {
        if (Status s = make_dir(join_path(queue_directory, spec.name), spec.mode); !s) return s;
    }
    return Status::success();
}

std::string queue_file_path(std::string_view queue_directory, std::string_view queue,
                            std::string_view id) {
    return join_path(join_path(queue_directory, queue), id);
}

bool space_allows(std::uint64_t free_bytes, std::uint64_t queue_minfree,
                  std::uint64_t message_size_limit, std::uint64_t message_size) {
    if (free_bytes < queue_minfree) return false;
    if (message_size > free_bytes - queue_minfree) return false;
    if (message_size > free_bytes / 2) return false;
    // free >= 1.5 x limit, exactly: 2 x free >= 3 x limit, in 128 bits.
    using Wide = unsigned __int128;
    if (message_size_limit > 0 && Wide{free_bytes} * 2 < Wide{message_size_limit} * 3)
        return false;
    return true;
}

SpaceCheck check_queue_space(const std::string &queue_directory, std::uint64_t queue_minfree,
                             std::uint64_t message_size_limit, std::uint64_t message_size) {
    SpaceCheck result;
    struct statvfs fs {};
    if (::statvfs(queue_directory.c_str(), &fs) != 0) {
        result.status = io_error("statvfs", queue_directory, errno);
        return result;
    }
    std::uint64_t unit = fs.f_frsize ? fs.f_frsize : fs.f_bsize;
    std::uint64_t blocks = fs.f_bavail;
    result.free_bytes = blocks > UINT64_MAX / unit ? UINT64_MAX : blocks * unit;
    result.accept = space_allows(result.free_bytes, queue_minfree, message_size_limit,
                                 message_size);
    return result;
}

} // namespace ferry::queue
