// queue_tool_scan.h - what postqueue, mailq, sendmail -bp and postsuper
// share: the queue directory from the configuration, the list of queued
// messages, and Postfix's two listing formats (postqueue -p and -j).
#pragma once

#include "qmgr/defer_log.h"
#include "queue/queue_file.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::cmd {

// The queues a listing shows, in the order Postfix's showq walks them.
const std::vector<std::string_view> &listed_queues();

struct QueuedMessage {
    std::string queue; // "maildrop", "hold", ...
    std::string id;
    queue::Envelope envelope;
    std::uint64_t size = 0; // the message content's size
    // Why recipients wait: the defer/ID logfile of the last attempt.
    std::vector<qmgr::DeferRecord> reasons;
};

// The readable messages of one queue, by name (Ferry ids sort by arrival).
// Names that are not queue ids (temporary files) are skipped, and so are
// files that are not queue files.  A queue that cannot be opened is
// reported in `error` ("open directory PATH: cause").
std::vector<QueuedMessage> scan_queue(const std::string &queue_directory, std::string_view queue,
                                      std::string &error);

// postqueue -p: Postfix's header, one block per message (queue id with '*'
// for active and '!' for hold, size, arrival, sender, then the recipients
// not yet done: first those in the defer log, each group of equal reasons
// under its "(reason)" line, right-aligned as Postfix aligns it, then the
// others), and the "-- N Kbytes in M Requests." footer, or "Mail
// queue is empty".  long_ids picks the layout of enable_long_queue_ids.
std::string format_listing(const std::vector<QueuedMessage> &messages, bool long_ids);

// postqueue -j: one JSON object per line, Postfix 3.7's fields; a
// recipient with a defer reason has "delay_reason".
std::string format_json(const std::vector<QueuedMessage> &messages);

// JSON string with quotes, as Postfix quotes: \" \\ and \uXXXX for control
// characters; other bytes (UTF-8) as they are.
std::string json_string(std::string_view s);

// The -c argument (or $MAIL_CONFIG, or the default) resolved to a
// directory; sendmail's -C may also name a main.cf file.
std::string config_directory(const std::string &option);

} // namespace ferry::cmd

namespace ferry::cmd {
// postqueue -p (json false) or -j: prints the listing; the exit status.
int list_queue(const std::string &config_dir, bool json);
} // namespace ferry::cmd
