// test_util.h - helpers shared by the config tests: run code with fatal
// errors turned into exceptions and with stderr captured.
#pragma once

#include "log/msg.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::test {

// Runs f() and returns what it wrote to stderr (warnings).
template <typename F> std::string stderr_of(F &&f) {
    testing::internal::CaptureStderr();
    try {
        f();
    } catch (...) {
        testing::internal::GetCapturedStderr();
        throw;
    }
    return testing::internal::GetCapturedStderr();
}

// Runs f() and returns the text of the fatal error it raised ("" if none).
template <typename F> std::string fatal_of(F &&f) {
    msg::throw_on_fatal(true);
    std::string text;
    testing::internal::CaptureStderr();
    try {
        f();
    } catch (const msg::FatalError &e) {
        text = e.text;
    }
    testing::internal::GetCapturedStderr();
    return text;
}

} // namespace ferry::test
