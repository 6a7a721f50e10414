// cmd_config.cpp - see cmd_config.h.
#include "cmd/cmd_config.h"

#include "config/config.h"

#include <memory>

namespace ferry::cmd {

CommandConfig load_command_config(const std::string &config_dir) {
    // Config::load reports a missing main.cf with Postfix's fatal text.
    auto config = std::make_shared<Config>(
        Config::load(config_dir.empty() ? Config::default_directory() : config_dir));
    CommandConfig c;
    c.param = [config](std::string_view name) { return config->get(name); };
    return c;
}

} // namespace ferry::cmd
