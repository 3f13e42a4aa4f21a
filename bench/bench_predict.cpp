// Inference speed of a trained model on a dataset split: batch throughput
// (beats/s) and single-beat latency (median, p99), as a markdown table.
//   build/release/bench/bench_predict --model FILE --data DIR [--split test] [--threads N]
// Times the model on already preprocessed rows; preprocessing is timed by
// bench_stages (filtfilt and morphology per beat).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "heartwave/model_bundle.hpp"

using namespace heartwave;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::string model, data, split = "test";
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--model")) model = argv[i + 1];
    else if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--split")) split = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  if (model.empty() || data.empty()) {
    std::fprintf(stderr, "usage: bench_predict --model FILE --data DIR [--split test] [--threads N]\n");
    return 2;
  }
  const ModelBundle b = load_bundle(model, threads);
  const Rows rows = load_evaluation_split(data, split, b.model->view());
  // Batch: the whole split at once, best of 5.
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    const auto p = b.model->predict_proba(rows.X, rows.n);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    if (p.size() != rows.n * 5) return 1;
  }
  // One beat at a time.
  const std::size_t singles = std::min<std::size_t>(rows.n, 2000);
  std::vector<double> lat;
  for (std::size_t i = 0; i < singles; ++i) {
    const auto t0 = Clock::now();
    const auto p = b.model->predict_proba({rows.X.data() + i * rows.dim, rows.dim}, 1);
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (p.size() != 5) return 1;
  }
  std::sort(lat.begin(), lat.end());
  std::printf("model %s (%s, best iteration %s), %s/%s, %zu rows x %zu, %d threads\n\n", model.c_str(),
              b.meta["family"].get<std::string>().c_str(), b.meta["training"]["best_iteration"].dump().c_str(),
              data.c_str(), split.c_str(), rows.n, rows.dim, threads);
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| batch predict (best of 5) | %.3f s, %.0f beats/s |\n", best, static_cast<double>(rows.n) / best);
  std::printf("| single beat, median | %.1f us |\n", lat[lat.size() / 2]);
  std::printf("| single beat, p99 | %.1f us |\n", lat[lat.size() * 99 / 100]);
  return 0;
}
