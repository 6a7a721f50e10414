// command.h - the shape of an SMTP command line.
//
// split_command() cuts a line into its verb and arguments; parse_path()
// reads the "FROM:<address>" / "TO:<address>" argument of MAIL and RCPT
// the way Postfix does with strict_rfc821_envelopes = no: brackets are
// optional, a source route is dropped, and whatever follows the address is
// left for the ESMTP parameter parser.
#pragma once

#include <string>
#include <string_view>

namespace ferry::smtpd {

struct CommandLine {
    std::string verb;      // upper-cased
    std::string_view args; // leading and trailing blanks removed
};

CommandLine split_command(std::string_view line);

struct PathArgument {
    enum class Status {
        ok,
        syntax,      // no "FROM:"/"TO:" or nothing after it
        bad_address, // the address itself is malformed
    };
    Status status = Status::syntax;
    std::string address;     // without brackets and source route
    std::string_view params; // the text after the address
};

// keyword is "FROM:" or "TO:" (matched without regard to case).
PathArgument parse_path(std::string_view args, std::string_view keyword);

// True when the text has a byte outside ASCII (needs SMTPUTF8).
bool has_non_ascii(std::string_view text);

} // namespace ferry::smtpd
