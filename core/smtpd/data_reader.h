// data_reader.h - the DATA content decoder: dot-unstuffing and end of data.
//
// Promises, whatever the input and however it is split across calls:
//  - DATA ends only at <CR><LF>.<CR><LF> (the <CR><LF> before the dot may be
//    the one that ended the DATA command).  "\n.\n", "\r\n.\n", "\n.\r\n"
//    and "\r.\r\n" never end it, so nothing after them can be read as a
//    command (SMTP smuggling).
//  - A leading dot is removed from every line (RFC 5321 section 4.5.2), so a
//    lone "." that does not end the data becomes an empty line.
//  - Lines ending in a bare <LF> are passed on ending in <CR><LF>
//    (smtpd_forbid_bare_newline = normal), or stop the reader (reject).
//  - A bare <CR> and NUL bytes are passed on unchanged; line length is not
//    limited here (overlong lines stream through in pieces).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smtpd/session_config.h"

namespace ferry::smtpd {

class DataReader {
public:
    enum class Status {
        more,   // all input consumed, the data goes on
        end,    // end of data seen; input after it was not consumed
        bare_lf // reject mode saw a bare <LF>; stop the session
    };
    struct Result {
        std::size_t consumed = 0;
        Status status = Status::more;
    };

    explicit DataReader(BareNewline mode = BareNewline::normal) : mode_(mode) {}

    // Starts a new message (right after the DATA command line).
    void reset();

    // Decodes input and appends content to out.
    Result feed(std::string_view input, std::string &out);

private:
    BareNewline mode_;
    bool at_line_start_ = true;
    bool prev_line_crlf_ = true; // the DATA command line ended in CRLF
    bool dot_only_ = false;      // the line so far is just its removed dot
    bool pending_cr_ = false;    // a CR whose meaning depends on the next byte
};

} // namespace ferry::smtpd
