#pragma once

#include <string>
#include <vector>

namespace orderlens {

// The CSV dialect metric files use (RFC 4180 on one line): comma-separated fields, a field
// quoted with "..." when it holds a comma, a quote or leading/trailing blanks, "" for a quote.

// Splits one line (without its line break; a trailing \r is dropped). False when a quoted
// field is not closed.
bool splitCsvLine(const std::string& line, std::vector<std::string>& fields);
// One field as it must be written.
std::string csvQuote(const std::string& text);

}  // namespace orderlens
