// module_path.h - where a module named in the registry is found.
//
// A name with a '/' is used as written (absolute, or relative to the
// current directory); a bare file name is searched in each directory of the
// module path in order ($FERRY_MODULE_PATH, then the built-in module
// directory), and the first existing file wins.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ferry::module {

std::optional<std::filesystem::path>
find_module_file(const std::string &file,
                 const std::vector<std::filesystem::path> &search,
                 std::string &error);

} // namespace ferry::module
