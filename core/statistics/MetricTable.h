#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace orderlens {

// Per-image metric columns of one dataset: one value per image in dataset order, NaN where an
// image has no value. Columns keep the order in which they were added.
class MetricTable {
public:
    explicit MetricTable(std::size_t images = 0) : images_(images) {}

    std::size_t images() const { return images_; }
    const std::vector<std::string>& names() const { return names_; }
    bool has(const std::string& name) const;
    // Throws ConfigError when there is no such column.
    const std::vector<double>& column(const std::string& name) const;
    // Adds a column of NaN (or returns the existing one) to be filled in.
    std::vector<double>& add(const std::string& name);
    // Adds or replaces a column; throws Error when the length is not images().
    void set(const std::string& name, std::vector<double> values);
    // Number of NaN values in a column.
    std::size_t missing(const std::string& name) const;

private:
    std::size_t images_;
    std::vector<std::string> names_;
    std::vector<std::vector<double>> columns_;
};

// How metric values are written in CSV files: the shortest text that reads back as the same
// double, and an empty field for NaN (as pandas writes and reads missing values).
std::string metricText(double value);
// Reads such a field: a number, or empty / "nan" / "NaN" / "NA" for missing. False when the
// text is not a number.
bool parseMetricText(std::string_view text, double& value);

}  // namespace orderlens
