// queue_file.h - what a queue file holds (the envelope) and how it is laid
// out on disk: typed records, described in docs/queue-format.md.
//
// Every record is one type byte, an 8-byte big-endian data length, then the
// data.  A file is: the version record, the envelope records, one message
// record holding the content, and an end record.  A file that lacks the end
// record, or has anything after it, is corrupt (a crash or a truncated copy).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::queue {

inline constexpr int queue_file_version = 1;

// Record types (the first byte of each record).
namespace record {
inline constexpr char version = 'V';     // decimal format version, first record
inline constexpr char queue_id = 'Q';    // the id the file was written under
inline constexpr char arrival = 'T';     // decimal microseconds since the epoch
inline constexpr char sender = 'S';      // envelope sender; empty for <>
inline constexpr char recipient = 'R';   // state, notify, address NUL orcpt
inline constexpr char envid = 'N';       // DSN ENVID
inline constexpr char ret = 'W';         // DSN RET: FULL or HDRS
inline constexpr char attribute = 'A';   // name=value (client, helo, flags)
inline constexpr char message = 'M';     // the content: headers and body
inline constexpr char end = 'E';         // empty; the last record
} // namespace record

inline constexpr size_t record_header_size = 9;
// Limit on any record but the message, so a corrupt length cannot make a
// reader allocate gigabytes.
inline constexpr std::uint64_t max_envelope_record = 1 << 20;

// Recipient state byte, updated in place by pwrite (see mark_recipient_done).
inline constexpr char recipient_pending = 'P';
inline constexpr char recipient_done = 'D';

// DSN NOTIFY as a bit set; 0 means the client gave no NOTIFY.
enum Notify : std::uint8_t {
    notify_success = 1,
    notify_failure = 2,
    notify_delay = 4,
    notify_never = 8,
};

struct Recipient {
    std::string address;     // as given in RCPT TO, without <>
    std::string orcpt;       // DSN ORCPT ("rfc822;user@example.com"), or empty
    std::uint8_t notify = 0; // Notify bits
    bool done = false;       // delivered, or bounced and reported
};

enum class DsnRet { unspecified, full, hdrs };
enum class BodyType { unspecified, seven_bit, eight_bit_mime };

struct Envelope {
    std::uint64_t arrival_us = 0; // microseconds since the epoch
    std::string sender;           // "" is the null sender <>
    std::vector<Recipient> recipients;
    std::string envid;            // DSN ENVID, "" when absent
    DsnRet ret = DsnRet::unspecified;
    std::string client_name;      // reverse name, or "unknown"
    std::string client_address;
    std::string helo_name;
    std::string protocol;         // SMTP, ESMTP, ESMTPS, ...
    bool smtputf8 = false;
    BodyType body = BodyType::unspecified;
    // Attributes this version does not know; kept so a newer writer's
    // additions survive being read and rewritten.
    std::map<std::string, std::string> other_attributes;
};

// Appends one record to out.
void append_record(std::string &out, char type, std::string_view data);
// The 9-byte header of a record whose data is `length` bytes.
std::string record_header(char type, std::uint64_t length);
std::uint64_t decode_length(const unsigned char *eight_bytes);

// The version record and every envelope record, in file order.
std::string encode_envelope(std::string_view queue_id, const Envelope &envelope);

// Applies one envelope record (not version, message or end) to envelope;
// returns "" or what is wrong with it.  queue_id receives the 'Q' record.
std::string decode_envelope_record(char type, std::string_view data, Envelope &envelope,
                                   std::string &queue_id);

} // namespace ferry::queue
