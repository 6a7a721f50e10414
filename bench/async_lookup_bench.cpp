// async_lookup_bench - serial and concurrent lookups per second through the
// core's LookupPool, the path an event-driven Ferry service uses for tables
// that may block (mysql:, ldap:).
//
// Usage: async_lookup_bench TABLE KEYS-FILE [WORKERS [IN-FLIGHT]]
// Reads one key per line.  Serial: one lookup at a time on the calling
// thread.  Concurrent: IN-FLIGHT (default 64) coroutines on one io_context,
// each awaiting async_lookup() in turn, until every key was asked once.
// Prints both rates and how the answers split into found / not found /
// temporary failure (a benchmark that silently measured failures would
// flatter).
#include "maps/lookup_pool.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace asio = boost::asio;

namespace {

struct Tally {
    size_t found = 0, not_found = 0, temp_fail = 0;
    void count(const ferry::LookupResult &r) {
        if (r.is_found())
            ++found;
        else if (r.is_temp_fail())
            ++temp_fail;
        else
            ++not_found;
    }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void report(const char *what, size_t n, double secs, const Tally &t) {
    std::printf("%-10s %6zu lookups in %7.3f s = %10.0f lookups/s  (found %zu, not found %zu, "
                "temporary failure %zu)\n",
                what, n, secs, n / secs, t.found, t.not_found, t.temp_fail);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: async_lookup_bench TABLE KEYS-FILE [WORKERS [IN-FLIGHT]]\n");
        return 2;
    }
    size_t workers = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 8;
    size_t inflight = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 64;
    std::vector<std::string> keys;
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);)
        keys.push_back(line);
    if (keys.empty()) {
        std::fprintf(stderr, "async_lookup_bench: no keys in %s\n", argv[2]);
        return 2;
    }

    ferry::MapCatalog catalog(ferry::default_catalog_options());
    ferry::LookupPool pool(catalog, workers);
    std::string error;
    auto map = pool.open(argv[1], ferry::map_flags::lookup_default, error);
    if (!map) {
        std::fprintf(stderr, "async_lookup_bench: %s\n", error.c_str());
        return 1;
    }

    Tally serial;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto &k : keys)
        serial.count(map->lookup(k));
    report("serial", keys.size(), seconds_since(t0), serial);

    Tally concurrent;
    size_t next = 0;
    asio::io_context io;
    t0 = std::chrono::steady_clock::now();
    for (size_t c = 0; c < inflight; ++c) {
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            while (next < keys.size()) {
                const std::string &k = keys[next++];
                concurrent.count(co_await map->async_lookup(k, asio::use_awaitable));
            }
        }, asio::detached);
    }
    io.run();
    char what[64];
    std::snprintf(what, sizeof what, "%zu/%zu", inflight, pool.worker_count());
    report(what, keys.size(), seconds_since(t0), concurrent);
    std::printf("(concurrent: %zu lookups in flight on %zu workers; handles opened: %zu)\n",
                inflight, pool.worker_count(), map->handles_opened());
    return serial.temp_fail + concurrent.temp_fail == 0 ? 0 : 1;
}
