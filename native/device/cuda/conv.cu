// The CUDA convolutions: cuDNN's legacy convolution API (NHWC tensors, (O, spatial…, I) filters, the
// algorithm chosen by its heuristics once per problem) where libcudnn was loaded and the pads are
// symmetric and non-negative (the model's are), else our implicit-GEMM kernels (tiled_gemm.cuh) over
// the channels-last tensors as they are, which take any pads, strides and dilations.
#include "device/cuda/conv.h"

#include <cuda_bf16.h>

#include <climits>
#include <map>
#include <mutex>
#include <string>
#include <type_traits>

#include "device/cuda/convert.cuh"
#include "device/cuda/cuda_device.cuh"
#include "device/cuda/cudnn_api.h"
#include "device/cuda/tiled_gemm.cuh"

namespace mnf::device::cuda {
namespace {

// ---- our kernels ----------------------------------------------------------------------------

// The problem in 3-D (a 2-D conv has depth 1); pad = pad before, negative to crop.
struct Geometry {
  int n, cin, cout;
  int x[3], k[3], y[3], stride[3], dilation[3], pad[3];
};

Geometry ToGeometry(const ConvDims& d) {
  Geometry g{};
  g.n = static_cast<int>(d.n);
  g.cin = static_cast<int>(d.cin);
  g.cout = static_cast<int>(d.cout);
  const int lead = 3 - d.spatial;  // leading unit dims
  for (int i = 0; i < 3; ++i) {
    const int s = i - lead;
    g.x[i] = s < 0 ? 1 : static_cast<int>(d.x[s]);
    g.k[i] = s < 0 ? 1 : static_cast<int>(d.w[s]);
    g.y[i] = s < 0 ? 1 : static_cast<int>(d.y[s]);
    g.stride[i] = s < 0 ? 1 : static_cast<int>(d.stride[s]);
    g.dilation[i] = s < 0 ? 1 : static_cast<int>(d.dilation[s]);
    g.pad[i] = s < 0 ? 0 : static_cast<int>(d.padBefore[s]);
  }
  return g;
}

__device__ inline float Read(const float* p, int64_t i, bool bf16) { return bf16 ? RoundToBf16(p[i]) : p[i]; }

// x at output position `pos` (n, od, oh, ow flattened) and filter tap `tap` (kd, kh, kw flattened),
// channel ci; 0 in the padding.
__device__ inline float GatherX(const float* x, const Geometry& g, int64_t pos, int64_t tap, int ci, bool bf16) {
  const int ow = static_cast<int>(pos % g.y[2]);
  pos /= g.y[2];
  const int oh = static_cast<int>(pos % g.y[1]);
  pos /= g.y[1];
  const int od = static_cast<int>(pos % g.y[0]);
  const int64_t n = pos / g.y[0];
  const int kw = static_cast<int>(tap % g.k[2]);
  tap /= g.k[2];
  const int kh = static_cast<int>(tap % g.k[1]);
  const int kd = static_cast<int>(tap / g.k[1]);
  const int id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
  const int ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
  const int iw = ow * g.stride[2] - g.pad[2] + kw * g.dilation[2];
  if (id < 0 || id >= g.x[0] || ih < 0 || ih >= g.x[1] || iw < 0 || iw >= g.x[2]) return 0.f;
  return Read(x, (((n * g.x[0] + id) * g.x[1] + ih) * g.x[2] + iw) * g.cin + ci, bf16);
}

// Forward: y (positions, cout) = X (positions, taps·cin) · W (taps·cin, cout).
struct ForwardA {
  const float* x;
  Geometry g;
  bool bf16;
  __device__ float operator()(int64_t, int64_t m, int64_t k) const { return GatherX(x, g, m, k / g.cin, static_cast<int>(k % g.cin), bf16); }
};

// Backward-data: dx (x positions, cin) = DY (x positions, taps·cout) · W' (taps·cout, cin), where
// DY gathers the dy row that tap reaches from each input row (none where the stride skips it).
struct BackwardDataA {
  const float* dy;
  Geometry g;
  bool bf16;
  __device__ float operator()(int64_t, int64_t m, int64_t k) const {
    const int co = static_cast<int>(k % g.cout);
    int64_t tap = k / g.cout;
    const int kw = static_cast<int>(tap % g.k[2]);
    tap /= g.k[2];
    const int kh = static_cast<int>(tap % g.k[1]);
    const int kd = static_cast<int>(tap / g.k[1]);
    const int iw = static_cast<int>(m % g.x[2]);
    m /= g.x[2];
    const int ih = static_cast<int>(m % g.x[1]);
    m /= g.x[1];
    const int id = static_cast<int>(m % g.x[0]);
    const int64_t n = m / g.x[0];
    const int td = id + g.pad[0] - kd * g.dilation[0];
    const int th = ih + g.pad[1] - kh * g.dilation[1];
    const int tw = iw + g.pad[2] - kw * g.dilation[2];
    if (td < 0 || th < 0 || tw < 0 || td % g.stride[0] != 0 || th % g.stride[1] != 0 || tw % g.stride[2] != 0) return 0.f;
    const int od = td / g.stride[0], oh = th / g.stride[1], ow = tw / g.stride[2];
    if (od >= g.y[0] || oh >= g.y[1] || ow >= g.y[2]) return 0.f;
    return Read(dy, (((n * g.y[0] + od) * g.y[1] + oh) * g.y[2] + ow) * g.cout + co, bf16);
  }
};

struct BackwardDataB {
  const float* w;
  int cin, cout;
  bool bf16;
  __device__ float operator()(int64_t, int64_t k, int64_t ci) const {
    const int64_t tap = k / cout, co = k % cout;
    return Read(w, (tap * cin + ci) * cout + co, bf16);
  }
};

// Backward-filter: dw (taps·cin, cout) = X' (taps·cin, positions) · DY (positions, cout), the K
// (positions) split into `slices` partial sums that SumSlices adds in a fixed order.
struct BackwardFilterA {
  const float* x;
  Geometry g;
  bool bf16;
  int64_t sliceLength, total;
  __device__ float operator()(int64_t z, int64_t m, int64_t k) const {
    const int64_t pos = z * sliceLength + k;
    return pos < total ? GatherX(x, g, pos, m / g.cin, static_cast<int>(m % g.cin), bf16) : 0.f;
  }
};

struct SlicedRows {
  const float* p;
  int64_t cols, sliceLength, total;
  bool bf16;
  __device__ float operator()(int64_t z, int64_t k, int64_t n) const {
    const int64_t row = z * sliceLength + k;
    return row < total ? Read(p, row * cols + n, bf16) : 0.f;
  }
};

// A row-major (K, N) matrix.
struct Rows {
  const float* p;
  int64_t cols;
  bool bf16;
  __device__ float operator()(int64_t, int64_t k, int64_t n) const { return Read(p, k * cols + n, bf16); }
};

struct StoreRows {
  float* out;
  int64_t cols, sliceStride;  // sliceStride: elements between the partial sums of two slices (0: one)
  bool bf16;
  __device__ void operator()(int64_t z, int64_t m, int64_t n, float acc) const {
    out[z * sliceStride + m * cols + n] = bf16 ? RoundToBf16(acc) : acc;
  }
};

__global__ void SumSlicesKernel(const float* partial, float* out, int64_t n, int64_t slices, bool bf16) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float s = 0.f;
    for (int64_t z = 0; z < slices; ++z) s += partial[z * n + i];
    out[i] = bf16 ? RoundToBf16(s) : s;
  }
}

int64_t Positions(const int64_t* dims) { return dims[0] * dims[1] * dims[2]; }

void OwnConv(CudaDevice& gpu, ConvDirection direction, const ConvDims& d, bool bf16, const float* in0, const float* in1, float* out) {
  const Geometry g = ToGeometry(d);
  const int64_t taps = Positions(d.w), xPositions = d.n * Positions(d.x), yPositions = d.n * Positions(d.y);
  cudaStream_t stream = gpu.stream();
  switch (direction) {
    case ConvDirection::kForward:
      LaunchTiledGemm(stream, yPositions, d.cout, taps * d.cin, 1, ForwardA{in0, g, bf16}, Rows{in1, d.cout, bf16},
                      StoreRows{out, d.cout, 0, bf16}, "conv forward (implicit GEMM)");
      return;
    case ConvDirection::kBackwardData:
      LaunchTiledGemm(stream, xPositions, d.cin, taps * d.cout, 1, BackwardDataA{in0, g, bf16},
                      BackwardDataB{in1, static_cast<int>(d.cin), static_cast<int>(d.cout), bf16}, StoreRows{out, d.cin, 0, bf16},
                      "conv backward-data (implicit GEMM)");
      return;
    case ConvDirection::kBackwardFilter: {
      // a few output tiles over a long K: split K so that every multiprocessor gets blocks
      const int64_t rows = taps * d.cin, size = rows * d.cout;
      const int64_t tiles = ((rows + kTileM - 1) / kTileM) * ((d.cout + kTileN - 1) / kTileN);
      int64_t slices = (4 * static_cast<int64_t>(gpu.multiprocessors()) + tiles - 1) / tiles;
      const int64_t maxSlices = (yPositions + 8 * kTileK - 1) / (8 * kTileK);  // at least 8 K-tiles a slice
      if (slices > maxSlices) slices = maxSlices;
      if (slices > 64) slices = 64;
      if (slices < 1) slices = 1;
      const int64_t sliceLength = (yPositions + slices - 1) / slices;
      if (slices == 1) {
        LaunchTiledGemm(stream, rows, d.cout, yPositions, 1, BackwardFilterA{in0, g, bf16, 0, yPositions}, SlicedRows{in1, d.cout, 0, yPositions, bf16},
                        StoreRows{out, d.cout, 0, bf16}, "conv backward-filter (implicit GEMM)");
        return;
      }
      auto* partial = static_cast<float*>(gpu.Scratch(0, static_cast<size_t>(slices * size) * sizeof(float)));
      LaunchTiledGemm(stream, rows, d.cout, sliceLength, slices, BackwardFilterA{in0, g, bf16, sliceLength, yPositions},
                      SlicedRows{in1, d.cout, sliceLength, yPositions, bf16}, StoreRows{partial, d.cout, size, false},
                      "conv backward-filter (implicit GEMM, split K)");
      SumSlicesKernel<<<GridFor(size), 256, 0, stream>>>(partial, out, size, slices, bf16);
      CheckLaunch("conv backward-filter (sum of the K slices)");
      return;
    }
  }
}

// ---- cuDNN ----------------------------------------------------------------------------------

bool CudnnTakes(const ConvDims& d) {
  for (int i = 0; i < d.spatial; ++i) {
    if (d.padBefore[i] != d.padAfter[i] || d.padBefore[i] < 0) return false;
  }
  const int64_t xSize = d.n * Positions(d.x) * d.cin, ySize = d.n * Positions(d.y) * d.cout, wSize = Positions(d.w) * d.cin * d.cout;
  return xSize < INT_MAX && ySize < INT_MAX && wSize < INT_MAX;
}

// A cuDNN descriptor, destroyed with its owner.
template <class T>
class Descriptor {
 public:
  Descriptor(const cudnn::Api& api, cudnn::Status (*create)(T*), cudnn::Status (*destroy)(T), const char* what) : destroy_(destroy) {
    cudnn::Check(api, create(&desc_), what);
  }
  Descriptor(Descriptor&& other) noexcept : desc_(other.desc_), destroy_(other.destroy_) { other.desc_ = nullptr; }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  Descriptor& operator=(Descriptor&&) = delete;
  ~Descriptor() {
    if (desc_ != nullptr) destroy_(desc_);
  }
  T get() const { return desc_; }

 private:
  T desc_ = nullptr;
  cudnn::Status (*destroy_)(T);
};

using TensorDesc = Descriptor<cudnn::TensorDescriptor>;
using FilterDesc = Descriptor<cudnn::FilterDescriptor>;
using ConvDesc = Descriptor<cudnn::ConvolutionDescriptor>;

// a channels-last activation (n, spatial…, c) in cuDNN's (n, c, spatial…) order, with its strides
TensorDesc ActivationDesc(const cudnn::Api& api, int dataType, int spatial, int64_t n, const int64_t* dims, int64_t c) {
  TensorDesc desc(api, api.createTensorDescriptor, api.destroyTensorDescriptor, "cudnnCreateTensorDescriptor");
  int shape[5], strides[5];
  shape[0] = static_cast<int>(n);
  shape[1] = static_cast<int>(c);
  strides[1] = 1;
  int64_t stride = c;
  for (int i = spatial - 1; i >= 0; --i) {
    shape[2 + i] = static_cast<int>(dims[i]);
    strides[2 + i] = static_cast<int>(stride);
    stride *= dims[i];
  }
  strides[0] = static_cast<int>(stride);
  cudnn::Check(api, api.setTensorNdDescriptor(desc.get(), dataType, spatial + 2, shape, strides), "cudnnSetTensorNdDescriptor");
  return desc;
}

// (cout, spatial…, cin) in memory: cuDNN's NHWC filter format, dims in (k, c, spatial…) order
FilterDesc FilterDescFor(const cudnn::Api& api, int dataType, const ConvDims& d) {
  FilterDesc desc(api, api.createFilterDescriptor, api.destroyFilterDescriptor, "cudnnCreateFilterDescriptor");
  int shape[5] = {static_cast<int>(d.cout), static_cast<int>(d.cin)};
  for (int i = 0; i < d.spatial; ++i) shape[2 + i] = static_cast<int>(d.w[i]);
  cudnn::Check(api, api.setFilterNdDescriptor(desc.get(), dataType, cudnn::kNhwc, d.spatial + 2, shape), "cudnnSetFilterNdDescriptor");
  return desc;
}

ConvDesc ConvDescFor(const cudnn::Api& api, const ConvDims& d) {
  ConvDesc desc(api, api.createConvolutionDescriptor, api.destroyConvolutionDescriptor, "cudnnCreateConvolutionDescriptor");
  int pads[3], strides[3], dilations[3];
  for (int i = 0; i < d.spatial; ++i) {
    pads[i] = static_cast<int>(d.padBefore[i]);
    strides[i] = static_cast<int>(d.stride[i]);
    dilations[i] = static_cast<int>(d.dilation[i]);
  }
  // tfjs's conv is a cross-correlation; fp32 accumulation for both precisions
  cudnn::Check(api, api.setConvolutionNdDescriptor(desc.get(), d.spatial, pads, strides, dilations, cudnn::kCrossCorrelation, cudnn::kFloat),
               "cudnnSetConvolutionNdDescriptor");
  return desc;
}

struct Choice {
  int algo = -1;  // -1: no algorithm fits (our kernels run the problem)
  int mathType = cudnn::kDefaultMath;
  size_t workspace = 0;
};

// One cuDNN handle per CUDA device (bound to its context) and the algorithm chosen per problem, for
// the process lifetime: the handles are never destroyed, since the CUDA runtime may already be torn
// down when static destructors run.
struct CudnnState {
  std::mutex mutex;
  std::map<int, cudnn::Handle> handles;
  std::map<std::string, Choice> choices;
};

CudnnState& State() {
  static CudnnState state;
  return state;
}

cudnn::Handle HandleFor(const cudnn::Api& api, CudaDevice& gpu) {
  CudnnState& s = State();
  std::lock_guard<std::mutex> lock(s.mutex);
  auto it = s.handles.find(gpu.index());
  if (it == s.handles.end()) {
    CheckCuda(cudaSetDevice(gpu.index()), "cudaSetDevice");
    cudnn::Handle handle = nullptr;
    cudnn::Check(api, api.create(&handle), "cudnnCreate");
    it = s.handles.emplace(gpu.index(), handle).first;
  }
  cudnn::Check(api, api.setStream(it->second, gpu.stream()), "cudnnSetStream");
  return it->second;
}

std::string ProblemKey(int device, ConvDirection direction, const ConvDims& d, const MathMode& math) {
  std::string key = std::to_string(device) + "/" + std::to_string(static_cast<int>(direction)) + (math.bf16() ? "bf16" : math.tf32 ? "tf32" : "fp32");
  auto add = [&key](int64_t v) { key += "," + std::to_string(v); };
  add(d.spatial), add(d.n), add(d.cin), add(d.cout);
  for (int i = 0; i < d.spatial; ++i) add(d.x[i]), add(d.w[i]), add(d.y[i]), add(d.stride[i]), add(d.dilation[i]), add(d.padBefore[i]);
  return key;
}

// Math types an algorithm may use: TF32 tensor cores only where allowed, always for bf16.
bool Allowed(int mathType, const MathMode& math) { return math.bf16() || math.tf32 || mathType == cudnn::kFmaMath; }

struct Descriptors {
  TensorDesc x, y;
  FilterDesc w;
  ConvDesc conv;
};

// cuDNN's heuristic ranking (no benchmarking, so no synchronisation): the first algorithm that is
// supported and uses an allowed math type, with its workspace.
Choice Choose(const cudnn::Api& api, cudnn::Handle h, ConvDirection direction, const Descriptors& ds, const MathMode& math) {
  constexpr int kRequested = 16;
  cudnn::AlgoPerf perf[kRequested] = {};
  int returned = 0;
  switch (direction) {
    case ConvDirection::kForward:
      cudnn::Check(api, api.getForwardAlgorithm(h, ds.x.get(), ds.w.get(), ds.conv.get(), ds.y.get(), kRequested, &returned, perf),
                   "cudnnGetConvolutionForwardAlgorithm_v7");
      break;
    case ConvDirection::kBackwardData:
      cudnn::Check(api, api.getBackwardDataAlgorithm(h, ds.w.get(), ds.y.get(), ds.conv.get(), ds.x.get(), kRequested, &returned, perf),
                   "cudnnGetConvolutionBackwardDataAlgorithm_v7");
      break;
    case ConvDirection::kBackwardFilter:
      cudnn::Check(api, api.getBackwardFilterAlgorithm(h, ds.x.get(), ds.y.get(), ds.conv.get(), ds.w.get(), kRequested, &returned, perf),
                   "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
      break;
  }
  Choice c;
  for (int i = 0; i < returned && i < kRequested; ++i) {
    if (perf[i].status != cudnn::kSuccess || !Allowed(perf[i].mathType, math)) continue;
    cudnn::Check(api, api.setConvolutionMathType(ds.conv.get(), perf[i].mathType), "cudnnSetConvolutionMathType");
    size_t bytes = 0;
    cudnn::Status status = cudnn::kSuccess;
    switch (direction) {
      case ConvDirection::kForward:
        status = api.getForwardWorkspaceSize(h, ds.x.get(), ds.w.get(), ds.conv.get(), ds.y.get(), perf[i].algo, &bytes);
        break;
      case ConvDirection::kBackwardData:
        status = api.getBackwardDataWorkspaceSize(h, ds.w.get(), ds.y.get(), ds.conv.get(), ds.x.get(), perf[i].algo, &bytes);
        break;
      case ConvDirection::kBackwardFilter:
        status = api.getBackwardFilterWorkspaceSize(h, ds.x.get(), ds.y.get(), ds.conv.get(), ds.w.get(), perf[i].algo, &bytes);
        break;
    }
    if (status != cudnn::kSuccess) continue;
    c.algo = perf[i].algo;
    c.mathType = perf[i].mathType;
    c.workspace = bytes;
    break;
  }
  return c;
}

// The math type the descriptor starts with, before an algorithm's own is set (PyTorch's rule).
int InitialMathType(const MathMode& math) {
  if (math.bf16()) return cudnn::kTensorOpMath;
  return math.tf32 ? cudnn::kDefaultMath : cudnn::kFmaMath;
}

void* ScratchOrNull(CudaDevice& gpu, int slot, size_t bytes) { return bytes == 0 ? nullptr : gpu.Scratch(slot, bytes); }

// Scratch slots: 0 and 2 the bf16 copies of the activations, 1 the filter in cuDNN's layout, 3 the workspace.
template <class T>
void RunCudnn(const cudnn::Api& api, cudnn::Handle h, CudaDevice& gpu, ConvDirection direction, const ConvDims& d, const Descriptors& ds,
              const Choice& c, const float* in0, const float* in1, float* out) {
  constexpr bool kBf16 = !std::is_same<T, float>::value;
  cudaStream_t stream = gpu.stream();
  const int64_t taps = Positions(d.w), wSize = taps * d.cin * d.cout;
  const int64_t xSize = d.n * Positions(d.x) * d.cin, ySize = d.n * Positions(d.y) * d.cout;
  // an operand as T: the float32 buffer itself, or its bf16 copy in `slot`
  auto operand = [&](const float* p, int64_t n, int slot) -> const void* {
    if (!kBf16) return p;
    auto* copy = static_cast<T*>(gpu.Scratch(slot, static_cast<size_t>(n) * sizeof(T)));
    Convert(stream, p, copy, n);
    return copy;
  };
  auto* filter = static_cast<T*>(gpu.Scratch(1, static_cast<size_t>(wSize) * sizeof(T)));
  void* workspace = ScratchOrNull(gpu, 3, c.workspace);
  const float one = 1.f, zero = 0.f;
  cudnn::Check(api, api.setConvolutionMathType(ds.conv.get(), c.mathType), "cudnnSetConvolutionMathType");
  switch (direction) {
    case ConvDirection::kForward: {
      const void* x = operand(in0, xSize, 0);
      FilterToOutputMajor(stream, in1, filter, taps, d.cin, d.cout);
      void* y = kBf16 ? gpu.Scratch(2, static_cast<size_t>(ySize) * sizeof(T)) : static_cast<void*>(out);
      cudnn::Check(api, api.convolutionForward(h, &one, ds.x.get(), x, ds.w.get(), filter, ds.conv.get(), c.algo, workspace, c.workspace, &zero,
                                               ds.y.get(), y),
                   "cudnnConvolutionForward");
      if (kBf16) Convert(stream, static_cast<const T*>(y), out, ySize);
      return;
    }
    case ConvDirection::kBackwardData: {
      const void* dy = operand(in0, ySize, 0);
      FilterToOutputMajor(stream, in1, filter, taps, d.cin, d.cout);
      void* dx = kBf16 ? gpu.Scratch(2, static_cast<size_t>(xSize) * sizeof(T)) : static_cast<void*>(out);
      cudnn::Check(api, api.convolutionBackwardData(h, &one, ds.w.get(), filter, ds.y.get(), dy, ds.conv.get(), c.algo, workspace, c.workspace,
                                                    &zero, ds.x.get(), dx),
                   "cudnnConvolutionBackwardData");
      if (kBf16) Convert(stream, static_cast<const T*>(dx), out, xSize);
      return;
    }
    case ConvDirection::kBackwardFilter: {
      const void* x = operand(in0, xSize, 0);
      const void* dy = operand(in1, ySize, 2);
      cudnn::Check(api, api.convolutionBackwardFilter(h, &one, ds.x.get(), x, ds.y.get(), dy, ds.conv.get(), c.algo, workspace, c.workspace,
                                                      &zero, ds.w.get(), filter),
                   "cudnnConvolutionBackwardFilter");
      FilterFromOutputMajor(stream, filter, out, taps, d.cin, d.cout);
      return;
    }
  }
}

// False when cuDNN has no allowed algorithm for the problem.
bool CudnnConv(const cudnn::Api& api, CudaDevice& gpu, ConvDirection direction, const ConvDims& d, const MathMode& math, const float* in0,
               const float* in1, float* out) {
  cudnn::Handle h = HandleFor(api, gpu);
  const int dataType = math.bf16() ? cudnn::kBfloat16 : cudnn::kFloat;
  const Descriptors ds{ActivationDesc(api, dataType, d.spatial, d.n, d.x, d.cin), ActivationDesc(api, dataType, d.spatial, d.n, d.y, d.cout),
                       FilterDescFor(api, dataType, d), ConvDescFor(api, d)};
  cudnn::Check(api, api.setConvolutionMathType(ds.conv.get(), InitialMathType(math)), "cudnnSetConvolutionMathType");
  const std::string key = ProblemKey(gpu.index(), direction, d, math);
  Choice c;
  {
    CudnnState& s = State();
    std::unique_lock<std::mutex> lock(s.mutex);
    auto it = s.choices.find(key);
    if (it != s.choices.end()) {
      c = it->second;
    } else {
      lock.unlock();
      c = Choose(api, h, direction, ds, math);
      lock.lock();
      s.choices.emplace(key, c);
    }
  }
  if (c.algo < 0) return false;
  if (math.bf16()) {
    RunCudnn<__nv_bfloat16>(api, h, gpu, direction, d, ds, c, in0, in1, out);
  } else {
    RunCudnn<float>(api, h, gpu, direction, d, ds, c, in0, in1, out);
  }
  return true;
}

}  // namespace

void Conv(CudaDevice& gpu, ConvDirection direction, const ConvDims& dims, const MathMode& math, const float* in0, const float* in1, float* out) {
  gpu.MakeCurrent();
  const cudnn::Api* api = OwnKernelsOnly() ? nullptr : cudnn::Load();
  if (api != nullptr && CudnnTakes(dims) && CudnnConv(*api, gpu, direction, dims, math, in0, in1, out)) return;
  OwnConv(gpu, direction, dims, math.bf16(), in0, in1, out);
}

}  // namespace mnf::device::cuda
