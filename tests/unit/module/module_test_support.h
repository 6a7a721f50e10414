// module_test_support.h - where the test modules are and a stand-in for the
// catalog's host services.
#pragma once

#include "module/host_api.h"
#include "module/loaded_module.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace ferry::test {

inline std::filesystem::path test_module(const std::string &name) {
    return std::filesystem::path(FERRY_TEST_MODULE_DIR) / (name + ".so");
}

// Host services with fixed parameters and one fixed table "fake:t".
struct FakeServices : module::HostServices {
    std::map<std::string, std::string> params;
    int lookups = 0;
    std::optional<std::string> param(std::string_view name) override {
        auto it = params.find(std::string(name));
        if (it == params.end()) return std::nullopt;
        return it->second;
    }
    LookupResult lookup(std::string_view table, std::string_view key) override {
        ++lookups;
        if (table == "fake:t" && key == "k") return LookupResult::found("v");
        return LookupResult::not_found();
    }
};

inline std::shared_ptr<module::LoadedModule>
load(const std::string &name, std::string &error,
     std::shared_ptr<module::HostServices> services = nullptr,
     module::AbiVersion host = {}) {
    return module::LoadedModule::load(test_module(name), host, services, error);
}

} // namespace ferry::test
