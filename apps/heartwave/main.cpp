#include "cli.hpp"
#include "heartwave/core/allocator.hpp"

int main(int argc, char** argv) {
  heartwave::tune_allocator_for_batch_work();
  return heartwave::cli::main_entry(argc, argv);
}
