// queue_file.cpp - see queue_file.h and docs/queue-format.md.
#include "queue/queue_file.h"

#include <charconv>

namespace ferry::queue {
namespace {

char notify_char(std::uint8_t notify) { return "0123456789abcdef"[notify & 0xf]; }

int notify_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

void attribute(std::string &out, std::string_view name, std::string_view value) {
    if (value.empty()) return;
    std::string data(name);
    data += '=';
    data += value;
    append_record(out, record::attribute, data);
}

} // namespace

std::string record_header(char type, std::uint64_t length) {
    std::string header(record_header_size, '\0');
    header[0] = type;
    for (int i = 0; i < 8; ++i)
        header[static_cast<size_t>(1 + i)] = static_cast<char>((length >> (56 - 8 * i)) & 0xff);
    return header;
}

std::uint64_t decode_length(const unsigned char *b) {
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | b[i];
    return length;
}

void append_record(std::string &out, char type, std::string_view data) {
    out += record_header(type, data.size());
    out += data;
}

std::string encode_envelope(std::string_view queue_id, const Envelope &env) {
    std::string out;
    append_record(out, record::version, std::to_string(queue_file_version));
    append_record(out, record::queue_id, queue_id);
    append_record(out, record::arrival, std::to_string(env.arrival_us));
    append_record(out, record::sender, env.sender);
    if (!env.envid.empty()) append_record(out, record::envid, env.envid);
    if (env.ret != DsnRet::unspecified)
        append_record(out, record::ret, env.ret == DsnRet::full ? "FULL" : "HDRS");
    attribute(out, "client_name", env.client_name);
    attribute(out, "client_address", env.client_address);
    attribute(out, "helo_name", env.helo_name);
    attribute(out, "protocol", env.protocol);
    if (env.smtputf8) attribute(out, "smtputf8", "yes");
    if (env.body != BodyType::unspecified)
        attribute(out, "body", env.body == BodyType::eight_bit_mime ? "8BITMIME" : "7BIT");
    for (const auto &[name, value] : env.other_attributes) attribute(out, name, value);
    for (const auto &r : env.recipients) {
        std::string data;
        data += r.done ? recipient_done : recipient_pending;
        data += notify_char(r.notify);
        data += r.address;
        data += '\0';
        data += r.orcpt;
        append_record(out, record::recipient, data);
    }
    return out;
}

std::string decode_envelope_record(char type, std::string_view data, Envelope &env,
                                   std::string &queue_id) {
    switch (type) {
    case record::queue_id:
        queue_id = data;
        return "";
    case record::arrival: {
        auto [p, ec] = std::from_chars(data.data(), data.data() + data.size(), env.arrival_us);
        if (ec != std::errc() || p != data.data() + data.size() || data.empty())
            return "bad arrival time record";
        return "";
    }
    case record::sender:
        env.sender = data;
        return "";
    case record::envid:
        env.envid = data;
        return "";
    case record::ret:
        if (data == "FULL") env.ret = DsnRet::full;
        else if (data == "HDRS") env.ret = DsnRet::hdrs;
        else return "bad DSN RET record";
        return "";
    case record::attribute: {
        size_t eq = data.find('=');
        if (eq == std::string_view::npos || eq == 0) return "attribute record without name=value";
        std::string_view name = data.substr(0, eq), value = data.substr(eq + 1);
        if (name == "client_name") env.client_name = value;
        else if (name == "client_address") env.client_address = value;
        else if (name == "helo_name") env.helo_name = value;
        else if (name == "protocol") env.protocol = value;
        else if (name == "smtputf8") env.smtputf8 = value == "yes";
        else if (name == "body")
            env.body = value == "8BITMIME" ? BodyType::eight_bit_mime : BodyType::seven_bit;
        else env.other_attributes[std::string(name)] = value;
        return "";
    }
    case record::recipient: {
        if (data.size() < 2) return "short recipient record";
        if (data[0] != recipient_pending && data[0] != recipient_done)
            return "bad recipient state byte";
        int notify = notify_value(data[1]);
        if (notify < 0) return "bad recipient notify byte";
        std::string_view rest = data.substr(2);
        size_t nul = rest.find('\0');
        if (nul == std::string_view::npos) return "recipient record without ORCPT separator";
        Recipient r;
        r.done = data[0] == recipient_done;
        r.notify = static_cast<std::uint8_t>(notify);
        r.address = rest.substr(0, nul);
        r.orcpt = rest.substr(nul + 1);
        env.recipients.push_back(std::move(r));
        return "";
    }
    default:
        return "unknown record type";
    }
}

} // namespace ferry::queue
