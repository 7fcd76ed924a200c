#pragma once

#include <string>

namespace orderlens {

// Names typed by people (architectures, optimisers, schedules) match ignoring case and the
// separators '-', '_' and ' ': the study writes LeNet5, WRN-28-10 and DenseNet121 where
// OrderLens stores lenet5, wrn-28-10 and densenet121.
inline std::string nameMatchKey(const std::string& name)
{
    std::string key;
    for (char ch : name) {
        if (ch == '-' || ch == '_' || ch == ' ')
            continue;
        key += (ch >= 'A' && ch <= 'Z') ? char(ch - 'A' + 'a') : ch;
    }
    return key;
}

inline bool sameName(const std::string& a, const std::string& b) { return nameMatchKey(a) == nameMatchKey(b); }

}  // namespace orderlens
