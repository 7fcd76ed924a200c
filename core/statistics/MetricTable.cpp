#include "statistics/MetricTable.h"

#include "common/Errors.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace orderlens {

bool MetricTable::has(const std::string& name) const
{
    return std::find(names_.begin(), names_.end(), name) != names_.end();
}

const std::vector<double>& MetricTable::column(const std::string& name) const
{
    const auto it = std::find(names_.begin(), names_.end(), name);
    if (it == names_.end())
        throw ConfigError("no metric column '" + name + "'");
    return columns_[std::size_t(it - names_.begin())];
}

std::vector<double>& MetricTable::add(const std::string& name)
{
    const auto it = std::find(names_.begin(), names_.end(), name);
    if (it != names_.end())
        return columns_[std::size_t(it - names_.begin())];
    names_.push_back(name);
    columns_.emplace_back(images_, std::numeric_limits<double>::quiet_NaN());
    return columns_.back();
}

void MetricTable::set(const std::string& name, std::vector<double> values)
{
    if (values.size() != images_)
        throw Error("metric column '" + name + "' has " + std::to_string(values.size()) + " values for " +
                    std::to_string(images_) + " images");
    add(name) = std::move(values);
}

std::size_t MetricTable::missing(const std::string& name) const
{
    const std::vector<double>& c = column(name);
    return std::size_t(std::count_if(c.begin(), c.end(), [](double v) { return std::isnan(v); }));
}

std::string metricText(double value)
{
    if (std::isnan(value))
        return {};
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, r.ptr);
}

bool parseMetricText(std::string_view text, double& value)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    if (text.empty() || text == "nan" || text == "NaN" || text == "NA" || text == "-nan") {
        value = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (text.front() == '+')
        text.remove_prefix(1);
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace orderlens
