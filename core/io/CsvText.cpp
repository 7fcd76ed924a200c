#include "io/CsvText.h"

namespace orderlens {

bool splitCsvLine(const std::string& line, std::vector<std::string>& fields)
{
    fields.clear();
    std::size_t end = line.size();
    if (end && line[end - 1] == '\r')
        --end;
    std::string field;
    std::size_t i = 0;
    while (true) {
        field.clear();
        if (i < end && line[i] == '"') {
            ++i;
            while (true) {
                if (i >= end)
                    return false;
                if (line[i] == '"') {
                    if (i + 1 < end && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
            // Anything between the closing quote and the next comma is kept as written.
            while (i < end && line[i] != ',')
                field += line[i++];
        } else {
            while (i < end && line[i] != ',')
                field += line[i++];
        }
        fields.push_back(field);
        if (i >= end)
            return true;
        ++i;  // the comma
    }
}

std::string csvQuote(const std::string& text)
{
    const bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                       (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!quote)
        return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace orderlens
