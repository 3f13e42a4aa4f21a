// Process-wide allocator policy for the batch programs (CLI, benchmarks).
#pragma once

namespace heartwave {

// Keeps freed multi-megabyte buffers in the heap instead of returning them to
// the kernel, so that per-record buffers are reused rather than page-faulted in
// again for each of the 48 records (glibc mallopt). Safe to call more than once.
void tune_allocator_for_batch_work() noexcept;

}  // namespace heartwave
