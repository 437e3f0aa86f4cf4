// CUDA presence is decided at run time: the addon is linked against the static CUDA runtime, so
// it loads on machines without a driver and reports why no device is usable.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mnf::cuda {

struct DeviceInfo {
  int index = 0;
  std::string name;
  uint64_t totalMemory = 0;  // bytes
  int computeMajor = 0;
  int computeMinor = 0;
};

// True when this build contains CUDA kernels.
bool Built();
// Fills `devices`; on failure leaves it empty and sets `reason` (driver missing, no device, ...).
void QueryDevices(std::vector<DeviceInfo>& devices, std::string& reason);
// True when at least one device is usable (cached after the first query).
bool Available();

}  // namespace mnf::cuda
