// A library's table of entry points, loaded on first use and kept for the process: the table, or
// the reason it could not be loaded, thrown again on every later use.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace mnf {

// `Load` builds the table or throws; it runs once per table type, whatever the outcome.
template <typename Api, Api (*Load)()>
const Api& LoadOnce() {
  struct Loaded {
    Api api{};
    std::string error;
  };
  static const Loaded loaded = [] {
    Loaded state;
    try {
      state.api = Load();
    } catch (const std::exception& e) {
      state.error = e.what();
    }
    return state;
  }();
  if (!loaded.error.empty()) throw std::runtime_error(loaded.error);
  return loaded.api;
}

}  // namespace mnf
