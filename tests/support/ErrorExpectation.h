#pragma once

#include "common/Errors.h"

#include <QtTest>

#include <string>
#include <vector>

namespace orderlens::test {

// Runs f and expects an orderlens::Error whose message contains every fragment (typically the
// file and the problem), so that a user could act on it.
template <typename F>
void expectError(F&& f, const std::vector<std::string>& fragments)
{
    try {
        f();
    } catch (const Error& e) {
        const std::string msg = e.what();
        for (const auto& frag : fragments)
            QVERIFY2(msg.find(frag) != std::string::npos, ("'" + frag + "' not in: " + msg).c_str());
        return;
    }
    QFAIL("no error was thrown");
}

}  // namespace orderlens::test
