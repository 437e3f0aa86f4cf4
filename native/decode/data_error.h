// A fault in a user's data (corrupt file, wrong layout). The message is one line that starts with
// the file it concerns, so it can be shown to the user as is.
#pragma once
#include <stdexcept>
#include <string>

namespace mnf::decode {

class DataError : public std::runtime_error {
 public:
  DataError(const std::string& file, const std::string& fault) : std::runtime_error(file + ": " + fault) {}
};

}  // namespace mnf::decode
