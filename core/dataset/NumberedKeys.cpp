#include "dataset/NumberedKeys.h"

namespace orderlens {

std::string numberedKey(Split split, std::size_t index)
{
    std::string digits = std::to_string(index);
    if (digits.size() < 6)
        digits.insert(0, 6 - digits.size(), '0');
    return std::string(splitName(split)) + "/" + digits;
}

}  // namespace orderlens
