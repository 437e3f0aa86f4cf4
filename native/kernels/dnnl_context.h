// The CPU engine and stream shared by every oneDNN kernel of the addon.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <mutex>

namespace mnf::kernels {

dnnl::engine& CpuEngine();
dnnl::stream& CpuStream();
// Kernels keep cached primitives and scratch buffers; worker threads may share the addon, so a
// kernel holds this lock while it looks up its cache and runs.
std::mutex& KernelMutex();

}  // namespace mnf::kernels
