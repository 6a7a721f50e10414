// queue_dirs.cpp - see queue_dirs.h.
#include "queue/queue_dirs.h"

#include "queue/durable.h"
#include "queue/queue_id.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace ferry::queue {

const std::vector<QueueDirSpec> &queue_dir_specs() {
    static const std::vector<QueueDirSpec> specs = {
        {maildrop_dir, 0730}, {incoming_dir, 0700}, {active_dir, 0700},
        {deferred_dir, 0700}, {hold_dir, 0700},     {corrupt_dir, 0700},
        {bounce_dir, 0700},   {defer_dir, 0700},     {private_dir, 0700},
        {public_dir, 0710},
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

namespace {

constexpr gid_t keep_group = static_cast<gid_t>(-1);
constexpr int max_tree_depth = 8; // hashed layouts (postsuper -s) nest a few levels

// Opens a directory without following a symbolic link in its last part.
int open_dir_at(int at, const char *name) {
    return ::openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

Status set_owner_mode(int fd, const std::string &path, uid_t uid, gid_t gid, mode_t mode) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return io_error("stat", path, errno);
    if ((st.st_uid != uid || (gid != keep_group && st.st_gid != gid)) && ::fchown(fd, uid, gid) != 0)
        return io_error("chown", path, errno);
    if ((st.st_mode & 07777) != mode && ::fchmod(fd, mode) != 0) return io_error("chmod", path, errno);
    return Status::success();
}

// chown -R, owner only, of what is below one queue directory.
Status own_tree(int dirfd, const std::string &path, uid_t owner, int depth, std::vector<std::string> &warnings) {
    int scan = ::dup(dirfd);
    DIR *d = scan < 0 ? nullptr : ::fdopendir(scan);
    if (!d) {
        if (scan >= 0) ::close(scan);
        return io_error("open directory", path, errno);
    }
    Status result = Status::success();
    while (struct dirent *e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        std::string child = join_path(path, e->d_name);
        struct stat st {};
        if (::fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue; // gone meanwhile
        if (S_ISDIR(st.st_mode)) {
            int sub = open_dir_at(dirfd, e->d_name);
            if (sub < 0) continue;
            if (st.st_uid != owner && ::fchown(sub, owner, keep_group) != 0)
                result = io_error("chown", child, errno);
            if (depth < max_tree_depth) {
                if (Status s = own_tree(sub, child, owner, depth + 1, warnings); !s) result = s;
            }
            ::close(sub);
            continue;
        }
        if (st.st_uid == owner) continue;
        if (!S_ISREG(st.st_mode)) {
            warnings.push_back(child + ": not a regular file or directory; ownership left as is");
            continue;
        }
        // Look again through the open file: the name may have been replaced.
        int fd = ::openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) continue;
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
            if (::fchown(fd, owner, keep_group) != 0) result = io_error("chown", child, errno);
        } else {
            warnings.push_back(child + ": file has " + std::to_string(st.st_nlink) +
                               " links; ownership left as is");
        }
        ::close(fd);
    }
    ::closedir(d);
    return result;
}

} // namespace

Status set_queue_permissions(const std::string &queue_directory, uid_t mail_owner, gid_t setgid_group,
                             std::vector<std::string> &warnings) {
    if (Status s = create_queue_dirs(queue_directory); !s) return s;
    std::string pid = join_path(queue_directory, pid_dir);
    if (::mkdir(pid.c_str(), 0755) != 0 && errno != EEXIST) return io_error("create directory", pid, errno);

    int top = ::open(queue_directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) return io_error("open directory", queue_directory, errno);
    Status result = set_owner_mode(top, queue_directory, 0, keep_group, 0755);
    auto fix = [&](std::string_view name, uid_t uid, gid_t gid, mode_t mode, bool recursive) {
        std::string path = join_path(queue_directory, name);
        int fd = open_dir_at(top, std::string(name).c_str());
        if (fd < 0) {
            result = io_error("open directory", path, errno);
            return;
        }
        if (Status s = set_owner_mode(fd, path, uid, gid, mode); !s) result = s;
        if (recursive) {
            if (Status s = own_tree(fd, path, uid, 1, warnings); !s) result = s;
        }
        ::close(fd);
    };
    for (std::string_view name : {incoming_dir, active_dir, deferred_dir, hold_dir, corrupt_dir, bounce_dir, defer_dir})
        fix(name, mail_owner, keep_group, 0700, true);
    fix(private_dir, mail_owner, keep_group, 0700, false);
    fix(public_dir, mail_owner, setgid_group, 0710, false);
    fix(maildrop_dir, mail_owner, setgid_group, 01730, false);
    fix(pid_dir, 0, keep_group, 0755, false);
    ::close(top);
    return result;
}

std::optional<std::vector<std::string>> queue_ids_in(const std::string &dir) {
    DIR *d = ::opendir(dir.c_str());
    if (!d) return std::nullopt;
    std::vector<std::string> ids;
    while (dirent *e = ::readdir(d))
        if (is_valid_queue_id(e->d_name)) ids.emplace_back(e->d_name);
    int err = errno;
    ::closedir(d);
    errno = err;
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<std::string> purge_temporary_files(const std::string &queue_directory,
                                               const std::vector<std::string_view> &queues, std::time_t before,
                                               std::vector<std::string> &warnings) {
    constexpr std::string_view suffix = ".tmp";
    std::vector<std::string> removed;
    for (std::string_view queue : queues) {
        std::string dir = join_path(queue_directory, queue);
        DIR *d = ::opendir(dir.c_str());
        if (!d) {
            if (errno != ENOENT) warnings.push_back(io_error("open directory", dir, errno).text());
            continue;
        }
        while (dirent *e = ::readdir(d)) {
            std::string_view name = e->d_name;
            if (!name.ends_with(suffix) || !is_valid_queue_id(name.substr(0, name.size() - suffix.size())))
                continue;
            struct stat st {};
            if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
                st.st_mtime >= before)
                continue;
            std::string path = join_path(dir, name);
            if (::unlinkat(::dirfd(d), e->d_name, 0) != 0) {
                if (errno != ENOENT) warnings.push_back(io_error("remove", path, errno).text());
                continue;
            }
            removed.push_back(join_path(queue, name));
        }
        ::closedir(d);
    }
    return removed;
}

std::vector<std::string> finish_interrupted_moves(const std::string &queue_directory,
                                                  std::vector<std::string> &warnings) {
    constexpr std::string_view order[] = {corrupt_dir, hold_dir, active_dir, deferred_dir, incoming_dir};
    std::map<std::string, std::vector<std::string_view>> queues_of; // id -> its queues, in `order`
    for (std::string_view queue : order) {
        std::string dir = join_path(queue_directory, queue);
        auto ids = queue_ids_in(dir);
        if (!ids) {
            if (errno != ENOENT) warnings.push_back(io_error("open directory", dir, errno).text());
            continue;
        }
        for (const auto &id : *ids) queues_of[id].push_back(queue);
    }
    std::vector<std::string> removed;
    for (const auto &[id, queues] : queues_of) {
        if (queues.size() < 2) continue;
        std::string kept = queue_file_path(queue_directory, queues.front(), id);
        struct stat keep {};
        if (::lstat(kept.c_str(), &keep) != 0 || !S_ISREG(keep.st_mode)) continue;
        for (std::size_t i = 1; i < queues.size(); ++i) {
            std::string other = queue_file_path(queue_directory, queues[i], id);
            struct stat st {};
            if (::lstat(other.c_str(), &st) != 0 || st.st_dev != keep.st_dev || st.st_ino != keep.st_ino) continue;
            if (::unlink(other.c_str()) != 0) {
                if (errno != ENOENT) warnings.push_back(io_error("remove", other, errno).text());
                continue;
            }
            removed.push_back(join_path(queues[i], id));
        }
    }
    return removed;
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
