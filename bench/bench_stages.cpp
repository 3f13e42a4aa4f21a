// Throughput of the pipeline stages on one core.
//   build/release/bench/bench_stages [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <random>

#include "heartwave/dsp/median.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/dsp/filter.hpp"
#include "heartwave/data/smote.hpp"
#include "heartwave/io/wfdb_record.hpp"

using namespace heartwave;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n) {
  std::mt19937 rng(1);
  std::vector<std::uint8_t> b(n);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

std::vector<double> ecg_like(std::size_t n) {
  std::vector<double> x(n);
  std::mt19937 rng(2);
  std::normal_distribution<double> g(0, 0.05);
  for (std::size_t i = 0; i < n; ++i) x[i] = (i % 290 == 93 ? 1.5 : 0.0) + g(rng);
  return x;
}

// One MIT-BIH record's worth of bytes (1,950,000) in each format.
void BM_Decode(benchmark::State& st) {
  const int format = static_cast<int>(st.range(0));
  const auto bytes = random_bytes(1950000);
  std::vector<std::int32_t> out(samples_in_bytes(format, bytes.size()));
  for (auto _ : st) {
    decode_samples(format, bytes, out, "bench");
    benchmark::DoNotOptimize(out.data());
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes.size()));
}
BENCHMARK(BM_Decode)->Arg(212)->Arg(16)->Arg(80)->Arg(310)->Arg(311);

void BM_FiltfiltBeat(benchmark::State& st) {
  const double cut[] = {40.0};
  const ZeroPhaseFilter f(butter(5, cut, FilterType::lowpass, 360));
  const auto x = ecg_like(187);
  std::vector<double> out(187), scratch;
  for (auto _ : st) {
    f.apply(x, out, scratch);
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_FiltfiltBeat);

void BM_MorphologyBeat(benchmark::State& st) {
  const auto xd = ecg_like(187);
  const std::vector<float> x(xd.begin(), xd.end());
  std::vector<float> out(kNumMorphologyFeatures);
  for (auto _ : st) {
    morphology_features(x, 93, out);
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_MorphologyBeat);

void BM_BaselineRecord(benchmark::State& st) {
  const auto x = ecg_like(650000);
  for (auto _ : st) benchmark::DoNotOptimize(remove_baseline(x, 360).data());
  st.SetItemsProcessed(st.iterations() * 650000);
}
BENCHMARK(BM_BaselineRecord)->Unit(benchmark::kMillisecond);

void BM_Smote(benchmark::State& st) {
  const std::size_t n = static_cast<std::size_t>(st.range(0)), dim = 239;  // the feat view
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> X(n * dim);
  for (auto& v : X) v = g(rng);
  const std::vector<int> y(n, 1);
  SmoteOptions o;
  o.targets = {{1, 5000}};
  o.threads = 1;
  for (auto _ : st) benchmark::DoNotOptimize(smote(X, dim, y, o).rows.data());
}
BENCHMARK(BM_Smote)->Arg(2225)->Arg(642)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
