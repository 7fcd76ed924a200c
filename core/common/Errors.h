#pragma once

#include <stdexcept>
#include <string>

namespace orderlens {

// Every error core throws says what to fix: the file (or option) and what was expected.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file or folder that is missing, truncated or in the wrong format.
class InputError : public Error {
public:
    InputError(const std::string& path, const std::string& problem)
        : Error(path + ": " + problem), path_(path) {}
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// An option value or a combination of options that cannot work.
class ConfigError : public Error {
public:
    using Error::Error;
};

// Thrown by long operations when their cancel flag is raised.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

}  // namespace orderlens
