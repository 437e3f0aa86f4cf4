// The seed's video files: an HDF5 file with a 1-D dataset `video` of variable-length uint8 arrays,
// one JPEG per frame, stored contiguously (as h5py and WriteFrames write it). libhdf5 opens the file
// and describes the dataset (every libhdf5 call here holds one mutex); the frames' bytes are located
// and read by hdf5_frame_index.h, bounds-checked (libhdf5 1.10's own vlen read crashes on a corrupt
// file). The last 64 videos read stay open (a file changed on disk since is reopened).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnf::decode {

using Bytes = std::vector<uint8_t>;

// Number of frames; throws DataError when the file is not HDF5 or has no usable `video` dataset.
int64_t CountFrames(const std::string& path);
// The JPEG bytes of the given frames, in the order asked (indices may repeat); DataError naming the
// frame when its bytes cannot be located in the file (a corrupt heap).
std::vector<Bytes> ReadFrames(const std::string& path, const std::vector<int64_t>& indices);
// Writes `frames` as dataset `video` (vlen uint8) into a new file at `path` (truncating).
void WriteFrames(const std::string& path, const std::vector<Bytes>& frames);
// Closes every video kept open.
void CloseVideos();
// How many videos are kept open.
size_t OpenVideoCount();

}  // namespace mnf::decode
