// module_path.cpp - see module_path.h.
#include "module/module_path.h"

namespace ferry::module {

std::optional<std::filesystem::path>
find_module_file(const std::string &file,
                 const std::vector<std::filesystem::path> &search,
                 std::string &error) {
    std::error_code ec;
    if (file.find('/') != std::string::npos) {
        if (std::filesystem::exists(file, ec)) return std::filesystem::path(file);
        error = file + ": module file not found";
        return std::nullopt;
    }
    std::string tried;
    for (const auto &dir : search) {
        if (dir.empty()) continue;
        auto candidate = dir / file;
        if (std::filesystem::exists(candidate, ec)) return candidate;
        if (!tried.empty()) tried += ':';
        tried += dir.string();
    }
    error = file + ": module file not found in " +
            (tried.empty() ? std::string("(empty module path)") : tried);
    return std::nullopt;
}

} // namespace ferry::module
