// queue_id.cpp - see queue_id.h.
#include "queue/queue_id.h"

#include "log/msg.h"

#include <sys/random.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace ferry::queue {
namespace {

// Digits, then consonants; base 51 is the first 51 characters (no 'z').
constexpr std::string_view alphabet52 = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
constexpr std::string_view alphabet51 = alphabet52.substr(0, 51);
static_assert(alphabet52.size() == 52 && alphabet52.back() == 'z');

constexpr size_t seconds_digits = 6;
constexpr size_t micros_digits = 4;
constexpr size_t time_digits = seconds_digits + micros_digits;
constexpr size_t random_digits = 12;
static_assert(time_digits + 1 + random_digits == queue_id_length);

// Fixed-width big-endian digits of value in the given alphabet.
void put_digits(char *out, size_t width, std::uint64_t value, std::string_view alphabet) {
    for (size_t i = width; i-- > 0;) {
        out[i] = alphabet[value % alphabet.size()];
        value /= alphabet.size();
    }
}

int digit_value(char c, std::string_view alphabet) {
    size_t pos = alphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::uint64_t now_us() {
    auto since = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(since).count());
}

// The next time stamp of this process: never equal to an earlier one.
std::uint64_t next_time_us() {
    static std::atomic<std::uint64_t> last{0};
    std::uint64_t now = now_us();
    std::uint64_t prev = last.load(std::memory_order_relaxed);
    for (;;) {
        std::uint64_t next = now > prev ? now : prev + 1;
        if (last.compare_exchange_weak(prev, next, std::memory_order_relaxed)) return next;
    }
}

void random_bytes(void *buf, size_t size) {
    char *p = static_cast<char *>(buf);
    while (size > 0) {
        ssize_t n = ::getrandom(p, size, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            // Without randomness ids could clash with another host's: refuse.
            msg::fatal(std::string("getrandom: ") + std::strerror(errno));
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
}

} // namespace

std::string new_queue_id() {
    std::uint64_t t = next_time_us();
    std::uint64_t rnd[2];
    random_bytes(rnd, sizeof(rnd));

    std::string id(queue_id_length, '0');
    put_digits(id.data(), seconds_digits, t / 1000000, alphabet52);
    put_digits(id.data() + seconds_digits, micros_digits, t % 1000000, alphabet52);
    id[time_digits] = 'z';
    // 51^12 is about 2^68: 64 bits from one word, the rest from the other.
    char *r = id.data() + time_digits + 1;
    put_digits(r, 11, rnd[0] % 6071163615208263051ULL /* 51^11 */, alphabet51);
    r[11] = alphabet51[rnd[1] % 51];
    return id;
}

bool is_valid_queue_id(std::string_view id) {
    if (id.empty() || id.size() > queue_id_max_length) return false;
    for (char c : id) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!alnum) return false;
    }
    return true;
}

bool is_ferry_queue_id(std::string_view id) {
    if (id.size() != queue_id_length || id[time_digits] != 'z') return false;
    for (size_t i = 0; i < time_digits; ++i)
        if (digit_value(id[i], alphabet52) < 0) return false;
    // Microseconds stay below one million.
    std::uint64_t us = 0;
    for (size_t i = seconds_digits; i < time_digits; ++i)
        us = us * 52 + static_cast<std::uint64_t>(digit_value(id[i], alphabet52));
    if (us >= 1000000) return false;
    for (size_t i = time_digits + 1; i < id.size(); ++i)
        if (digit_value(id[i], alphabet51) < 0) return false;
    return true;
}

std::uint64_t queue_id_time_us(std::string_view id) {
    if (!is_ferry_queue_id(id)) return 0;
    std::uint64_t sec = 0, us = 0;
    for (size_t i = 0; i < seconds_digits; ++i)
        sec = sec * 52 + static_cast<std::uint64_t>(digit_value(id[i], alphabet52));
    for (size_t i = seconds_digits; i < time_digits; ++i)
        us = us * 52 + static_cast<std::uint64_t>(digit_value(id[i], alphabet52));
    return sec * 1000000 + us;
}

} // namespace ferry::queue
