// Open MPI (libmpi.so.40) loaded at run time with dlopen: no MPI headers or link-time dependency, so
// the addon loads where MPI is absent. The prototypes are the few the addon calls, declared here as
// in Open MPI's mpi.h, where every handle type (MPI_Comm, MPI_Datatype, MPI_Op, MPI_Errhandler) is a
// pointer to an opaque struct and each predefined handle is the address of a global of libmpi
// (MPI_COMM_WORLD is &ompi_mpi_comm_world, MPI_FLOAT &ompi_mpi_float, MPI_SUM &ompi_mpi_op_sum ...).
#pragma once
#include <string>
#include <vector>

namespace mnf::mpi {

using Comm = void*;
using Datatype = void*;
using Op = void*;
using Errhandler = void*;

constexpr int kSuccess = 0;                                   // MPI_SUCCESS
constexpr int kThreadSerialized = 2;                          // MPI_THREAD_SERIALIZED (SINGLE 0, FUNNELED 1, MULTIPLE 3)
constexpr int kMaxErrorString = 256;                          // MPI_MAX_ERROR_STRING
inline void* const kInPlace = reinterpret_cast<void*>(1);     // MPI_IN_PLACE

struct Api {
  std::string path;  // the file loaded

  int (*Init_thread)(int* argc, char*** argv, int required, int* provided);
  int (*Initialized)(int* flag);
  int (*Finalized)(int* flag);
  int (*Comm_rank)(Comm comm, int* rank);
  int (*Comm_size)(Comm comm, int* size);
  int (*Comm_set_errhandler)(Comm comm, Errhandler handler);
  int (*Allreduce)(const void* send, void* receive, int count, Datatype type, Op op, Comm comm);
  int (*Allgather)(const void* send, int sendCount, Datatype sendType, void* receive, int receiveCount, Datatype receiveType, Comm comm);
  int (*Bcast)(void* buffer, int count, Datatype type, int root, Comm comm);
  int (*Barrier)(Comm comm);
  int (*Abort)(Comm comm, int code);
  int (*Finalize)();
  int (*Error_string)(int code, char* text, int* length);

  Comm commWorld;           // MPI_COMM_WORLD
  Datatype floatType;       // MPI_FLOAT
  Datatype intType;         // MPI_INT
  Datatype byteType;        // MPI_BYTE
  Op sum;                   // MPI_SUM
  Errhandler errorsReturn;  // MPI_ERRORS_RETURN
};

// The folders searched, in order: MNF_MPI_LIBS, LD_LIBRARY_PATH, OPAL_PREFIX/lib and MPI_HOME/lib,
// the lib/ beside each mpirun on PATH, then Debian's and the usual install prefixes.
std::vector<std::string> SearchFolders();

// Loads libmpi.so.40 on the first call (the file MNF_MPI_LIB names, when set; else the first of
// SearchFolders() that loads) and returns the same table afterwards. Throws
// std::runtime_error (one line naming the folders searched, or the symbol missing) when no candidate
// loads; later calls throw the same error. The library stays loaded for the process lifetime.
const Api& Load();

// MPI_Error_string's text for `code`, or "MPI error <code>" when it has none.
std::string ErrorText(const Api& api, int code);

}  // namespace mnf::mpi
