// snapshot.h - a whole hash: or btree: table held in memory, so a busy
// reader answers without a lock, a system call or a Berkeley DB page lookup.
//
// The records are kept exactly as the file stores them: keys byte for byte
// (with or without the trailing NUL, as written), so a lookup probes the
// same spellings in the same order as on the file and gets the same answer.
// Values are kept as Postfix returns them (cut at the first NUL).
//
// Memory is one arena holding every record (two 32-bit lengths, the key,
// the value) back to back, and an open-addressing index of 64-bit slots
// kept at most half full; a record costs its bytes plus 8 and two to four
// slots.  A hit reads one slot and one record: two cache misses on a big
// table.  add() refuses once the caller's byte budget would be exceeded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ferry::maps_hash {

class Snapshot {
public:
    // `expected`: about how many bytes of records will come (the file's
    // size will do); reserved up front so the arena is not copied as it
    // grows.  Pages reserved and never written are never made resident.
    Snapshot(std::size_t budget, std::size_t expected);

    // Keeps one record as stored; false when the budget would be exceeded
    // (the snapshot is then unusable and should be dropped).
    bool add(std::string_view key, std::string_view value);
    // Builds the index; call once after the last add().
    void finish();

    // The value stored under exactly these key bytes.
    std::optional<std::string_view> find(std::string_view key) const;

    std::size_t records() const { return records_; }
    std::size_t bytes() const;

private:
    std::size_t budget_;
    std::size_t records_ = 0;
    std::vector<char> arena_;
    // A slot holds a record's arena offset + 1 in its low 40 bits (0 =
    // empty) and 24 bits of the key's hash above, so most mismatches are
    // rejected without reading the record.
    std::vector<std::uint64_t> slots_;
    std::uint64_t mask_ = 0;
};

} // namespace ferry::maps_hash
