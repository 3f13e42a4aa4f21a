// A run document, as `heartwave runs import` reads it from a file (which
// can hold anything): accepted or rejected with a heartwave::Error, never a
// crash; an accepted one goes into a store and reads back with its id,
// experiment, parameters and tags.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/track/run_json.hpp"
#include "heartwave/track/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  heartwave::RunImport r;
  try {
    r = heartwave::run_from_json(j, "fuzz");
  } catch (const heartwave::Error&) {
    return 0;
  }
  heartwave::TrackingStore store(":memory:");
  if (!store.import_run(r.run, r.points)) __builtin_trap();
  const auto back = store.run(r.run.id);
  if (!back || back->id != r.run.id || back->experiment != r.run.experiment || back->params != r.run.params || back->tags != r.run.tags)
    __builtin_trap();
  return 0;
}
