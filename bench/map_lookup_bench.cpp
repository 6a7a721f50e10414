// map_lookup_bench - in-process lookups per second through MapCatalog, the
// path a Ferry daemon uses.  Usage: map_lookup_bench TABLE SOURCE-FILE
// (keys are taken from the source file's first column, plus as many misses).
#include "maps/catalog.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: map_lookup_bench TABLE SOURCE-FILE\n");
        return 2;
    }
    std::vector<std::string> keys;
    std::ifstream src(argv[2]);
    for (std::string line; std::getline(src, line);) {
        auto sp = line.find(' ');
        keys.push_back(line.substr(0, sp));
        keys.push_back("miss-" + line.substr(0, sp));
    }
    ferry::MapCatalog catalog(ferry::default_catalog_options());
    auto opened = catalog.open(argv[1], ferry::map_flags::lookup_default);
    if (!opened.map) {
        std::fprintf(stderr, "map_lookup_bench: %s\n", opened.error.c_str());
        return 1;
    }
    const size_t n = 1'000'000;
    size_t found = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i)
        found += opened.map->lookup(keys[(i * 7919) % keys.size()]).is_found();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("in-process: %zu lookups in %.3f s = %.0f lookups/s (%zu found; target >= 1,000,000/s)\n",
                n, secs, n / secs, found);
    return found ? 0 : 1;
}
