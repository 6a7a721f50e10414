// pid_file.h - $queue_directory/pid/master.pid, locked while the master runs.
//
// The lock, not the number, tells whether a master is running: a stale file
// left by a crash is taken over; a file locked by a live master refuses a
// second one ("the Postfix mail system is already running").
#pragma once

#include <string>
#include <sys/types.h>

namespace ferry::master {

class PidFile {
public:
    PidFile() = default;
    PidFile(const PidFile &) = delete;
    PidFile &operator=(const PidFile &) = delete;
    ~PidFile();

    // Creates the directory and file, locks it and writes our pid.  False
    // (after logging why) when another process holds it.
    bool acquire(const std::string &path);
    bool is_open() const { return fd_ >= 0; }

    // The pid of the running master that holds `path`, or 0.
    static pid_t running(const std::string &path);

private:
    int fd_ = -1;
    std::string path_;
};

} // namespace ferry::master
