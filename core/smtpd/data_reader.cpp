// data_reader.cpp - byte-wise DATA decoding with a fast path for line bodies.
#include "smtpd/data_reader.h"

#include <cstring>

namespace ferry::smtpd {

void DataReader::reset()
{
    at_line_start_ = true;
    prev_line_crlf_ = true;
    dot_only_ = false;
    pending_cr_ = false;
}

DataReader::Result DataReader::feed(std::string_view input, std::string &out)
{
    std::size_t i = 0;
    const std::size_t n = input.size();
    while (i < n) {
        char c = input[i];
        if (at_line_start_) {
            at_line_start_ = false;
            if (c == '.') {
                dot_only_ = true;
                ++i;
                continue;
            }
        }
        if (pending_cr_) {
            pending_cr_ = false;
            if (c == '\n') {
                ++i;
                if (dot_only_ && prev_line_crlf_)
                    return {i, Status::end};
                out += "\r\n";
                prev_line_crlf_ = true;
                at_line_start_ = true;
                dot_only_ = false;
                continue;
            }
            out += '\r'; // bare CR: content
            dot_only_ = false;
            // c is processed below.
        }
        if (c == '\r') {
            pending_cr_ = true;
            ++i;
            continue;
        }
        if (c == '\n') {
            if (mode_ == BareNewline::reject)
                return {i, Status::bare_lf};
            ++i;
            out += "\r\n";
            prev_line_crlf_ = false;
            at_line_start_ = true;
            dot_only_ = false;
            continue;
        }
        // Line body: copy up to the next CR or LF in one go.
        std::size_t end = i + 1;
        while (end < n && input[end] != '\r' && input[end] != '\n')
            ++end;
        out.append(input.data() + i, end - i);
        dot_only_ = false;
        i = end;
    }
    return {i, Status::more};
}

} // namespace ferry::smtpd
