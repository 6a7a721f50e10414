// delivery_log.cpp - see delivery_log.h.
#include "qmgr/delivery_log.h"

#include <cmath>
#include <cstdio>

namespace ferry::qmgr {

std::string format_delay(double s) {
    if (!(s >= 0.01)) return "0"; // also negative (clock steps) and NaN
    char buf[32];
    if (s >= 10) std::snprintf(buf, sizeof buf, "%.0f", std::floor(s));
    else if (s >= 1) std::snprintf(buf, sizeof buf, "%.1f", std::floor(s * 10) / 10);
    else std::snprintf(buf, sizeof buf, "%.2f", std::floor(s * 100) / 100);
    std::string out = buf;
    // 0.50 -> 0.5, 2.0 -> 2: trailing zeros carry no digits.
    if (out.find('.') != std::string::npos) {
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    return out;
}

std::string format_delivery_line(const DeliveryLine &l) {
    std::string out = l.queue_id + ": to=<" + l.to + ">";
    if (!l.orig_to.empty() && l.orig_to != l.to) out += ", orig_to=<" + l.orig_to + ">";
    out += ", relay=" + l.relay;
    out += ", delay=" + format_delay(l.delay);
    out += ", delays=" + format_delay(l.before_qmgr) + "/" + format_delay(l.in_qmgr) + "/" +
           format_delay(l.setup) + "/" + format_delay(l.transmission);
    out += ", dsn=" + l.dsn + ", status=" + l.status + " (" + l.text + ")";
    return out;
}

} // namespace ferry::qmgr
