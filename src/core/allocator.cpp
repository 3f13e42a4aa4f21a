#include "heartwave/core/allocator.hpp"

#include <malloc.h>

namespace heartwave {

void tune_allocator_for_batch_work() noexcept {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace heartwave
