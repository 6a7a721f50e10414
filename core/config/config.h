// config.h - Ferry's configuration as the rest of Ferry sees it: main.cf
// parameters (expanded, raw, defaults) and the master.cf services, loaded
// from a Postfix configuration directory or from the embedded default.
//
// The directory is `-c dir`, else $MAIL_CONFIG, else /etc/postfix, as in
// Postfix.  Problems in the files are reported the way Postfix reports them:
// warnings for what can be skipped, msg::fatal for what cannot.
#pragma once

#include "config/main_cf.h"
#include "config/master_cf.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

class Config {
public:
    // directory() of the embedded configuration.
    static constexpr const char *embedded_label = "(embedded)";

    // $MAIL_CONFIG, else builtin_directory().
    static std::string default_directory();
    // /etc/postfix: the directory no environment chooses.
    static std::string builtin_directory();

    // Reads DIR/main.cf (must exist, as for Postfix) and DIR/master.cf (may
    // be missing: then there are no services).  Without read_main_cf, only
    // master.cf is read (what `postconf -d` needs).
    static Config load(const std::string &dir, bool read_main_cf = true);

    // The embedded default configuration: a small main.cf and master.cf
    // compiled into Ferry, for running without a configuration directory.
    // Its queue and data directories are under `state_dir`.
    static Config load_embedded(const std::string &state_dir);

    // From texts, for tests; `dir` only names the files in messages.
    static Config from_text(std::string_view main_cf, std::string_view master_cf,
                            const std::string &dir = "/etc/postfix");

    // The value in effect, $names expanded; nullopt for an unknown name.
    // A loop or a syntax error in the value is fatal, as in Postfix.  Raw
    // parameters (forward_path, mailbox_command, ...) come back unexpanded:
    // their $names are for the code that uses them.
    std::optional<std::string> get(std::string_view name) const;
    // The value in effect as written (main.cf, else the default).
    std::optional<std::string> raw(std::string_view name) const;
    // The built-in default as written (computed ones computed).
    std::optional<std::string> default_value(std::string_view name) const;
    // Whether main.cf sets it.
    bool is_set(std::string_view name) const;
    // A known name: built-in, derived from a master.cf service, or a
    // user-defined parameter that something refers to.
    bool is_known(std::string_view name) const;
    // Every known name, sorted.
    std::vector<std::string> known_names() const;

    // Sets a parameter in this process only, as if main.cf said so: a
    // service's own view after it has moved into the queue directory.
    void set_value(std::string_view name, std::string value) { values_[std::string(name)] = std::move(value); }

    // The value of a parameter for one service: its -o override, else the
    // main.cf value, expanded.
    std::optional<std::string> service_get(const config::MasterService &service,
                                           std::string_view name) const;

    // Expands $names in any text as main.cf (and the service's -o
    // settings, when given) define them.
    std::string expand_value(std::string_view value, const config::MasterService *service = nullptr) const;

    const std::string &directory() const { return dir_; }
    std::string main_cf_path() const { return dir_ + "/main.cf"; }
    std::string master_cf_path() const { return dir_ + "/master.cf"; }
    const std::vector<config::MainCfEntry> &main_cf() const { return entries_; }
    const std::vector<config::MasterService> &services() const { return services_; }

    // Postfix's checks of a configuration: "read-only parameter
    // assignment" and "undefined parameter" for $names that nothing
    // defines (call once, before output), and "unused
    // parameter" for settings nothing reads (call once, after output; the
    // master.cf -o settings always, main.cf ones if asked).
    void warn_undefined() const;
    void warn_unused(bool main_cf_too = true) const;

private:
    void index();
    std::optional<std::string> lookup_raw(std::string_view name, const config::MasterService *s) const;

    std::string dir_;
    std::vector<config::MainCfEntry> entries_;
    std::vector<config::MasterService> services_;
    std::map<std::string, std::string, std::less<>> values_;         // main.cf (and config_directory)
    std::map<std::string, std::string, std::less<>> service_params_; // name -> default
    std::set<std::string, std::less<>> user_params_;                 // main.cf names something uses
};

} // namespace ferry
