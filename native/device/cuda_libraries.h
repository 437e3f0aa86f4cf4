// cuDNN, cuBLAS, cuBLASLt and NCCL, found at run time with dlopen (no CUDA library headers or
// link-time dependency). The search runs once per process; each library found stays loaded for the
// process lifetime, and Symbol() hands its functions to the code that calls them.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mnf::cuda_libraries {

enum class Library { kCudnn, kCublas, kCublasLt, kNccl };
constexpr std::array<Library, 4> kLibraries = {Library::kCudnn, Library::kCublas, Library::kCublasLt, Library::kNccl};

struct LibraryStatus {
  bool found = false;
  std::string path;                    // the file loaded, when found
  std::optional<std::string> version;  // "major.minor.patch" from the library's own call
  std::string problem;                 // why the version is unknown, or why no candidate loaded
};

struct SearchResult {
  std::vector<std::string> searched;  // folders, in search order
  std::array<LibraryStatus, kLibraries.size()> libraries;
  const LibraryStatus& operator[](Library library) const { return libraries[static_cast<size_t>(library)]; }
};

// The name doctor and the N-API use: "cudnn", "cublas", "cublasLt", "nccl".
const char* Name(Library library);

// Searches on the first call (MNF_CUDA_LIBS, LD_LIBRARY_PATH, the CUDA toolkit's folders, Python
// site-packages/nvidia/*/lib) and returns the same result afterwards.
const SearchResult& Find();

// The address of `symbol` in the loaded library, or nullptr when the library or the symbol is absent.
void* Symbol(Library library, const char* symbol);

// Appends the non-empty entries of a colon-separated folder list (PATH's syntax); nullptr adds none.
// Also the MPI library search's (native/distributed/mpi_api.cc).
void AppendPathList(const char* list, std::vector<std::string>& folders);

}  // namespace mnf::cuda_libraries
