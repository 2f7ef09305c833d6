// The main of every GoogleTest executable: GoogleTest's own, after the BLAS kernel check every
// tool runs (core/common/blas_kernel.h), so model tests run with the kernels the CPU can use.
#include "core/common/blas_kernel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  botm::MaybeReexecForBlasKernel(argv);
  testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
