// cmd_config.h - the configuration a table command needs: main.cf from the
// -c directory (or $MAIL_CONFIG, or the default), with Postfix's defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::cmd {

struct CommandConfig {
    // Expanded value of a parameter, or nullopt when unknown.
    std::function<std::optional<std::string>(std::string_view)> param;
    std::string get(std::string_view name, std::string fallback = {}) const {
        auto v = param ? param(name) : std::nullopt;
        return v ? *v : fallback;
    }
};

// Loads main.cf from `config_dir` (empty: $MAIL_CONFIG or the default).
// A missing or unreadable main.cf is fatal, as in Postfix.
CommandConfig load_command_config(const std::string &config_dir);

} // namespace ferry::cmd
