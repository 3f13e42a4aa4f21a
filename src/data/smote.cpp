#include "heartwave/smote.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "heartwave/error.hpp"

namespace heartwave {
namespace {

// Eight independent partial sums so that the compiler vectorises the loop
// without reassociating floating-point additions on its own.
inline float squared_distance(const float* a, const float* b, std::size_t dim) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t c = 0;
  for (; c + 8 <= dim; c += 8)
    for (int l = 0; l < 8; ++l) {
      const float t = a[c + l] - b[c + l];
      acc[l] += t * t;
    }
  float d = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; c < dim; ++c) {
    const float t = a[c] - b[c];
    d += t * t;
  }
  return d;
}

// The k nearest (squared Euclidean, ties to the lower index) of rows
// [from, to) among all n rows, excluding the row itself. Compiled twice:
// AVX2 where the CPU has it, baseline x86-64 otherwise; the arithmetic is the
// same in both (no FMA), so the neighbours are too.
__attribute__((target_clones("avx2", "default")))
void knn_rows(const float* rows, std::size_t n, std::size_t dim, std::size_t kk, std::size_t from, std::size_t to,
              std::size_t* out) {
  std::vector<std::pair<float, std::size_t>> best;
  best.reserve(kk + 1);
  for (std::size_t i = from; i < to; ++i) {
    best.clear();
    const float* a = rows + i * dim;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const float d = squared_distance(a, rows + j * dim, dim);
      if (best.size() < kk) {
        best.emplace_back(d, j);
        std::push_heap(best.begin(), best.end());
      } else if (std::make_pair(d, j) < best.front()) {
        std::pop_heap(best.begin(), best.end());
        best.back() = {d, j};
        std::push_heap(best.begin(), best.end());
      }
    }
    std::sort_heap(best.begin(), best.end());
    for (std::size_t m = 0; m < kk; ++m) out[i * kk + m] = best[m].second;
  }
}

// k nearest neighbours (squared Euclidean, excluding the row itself) of every
// row in `idx`, returned as positions into `idx`.
std::vector<std::size_t> knn(std::span<const float> X, std::size_t dim, const std::vector<std::size_t>& idx, int k,
                             int threads) {
  const std::size_t n = idx.size();
  const auto kk = static_cast<std::size_t>(k);
  std::vector<std::size_t> out(n * kk);
  // Gather the class rows contiguously for cache-friendly scans.
  std::vector<float> rows(n * dim);
  for (std::size_t i = 0; i < n; ++i) std::copy_n(X.data() + idx[i] * dim, dim, rows.data() + i * dim);
  auto work = [&](std::size_t from, std::size_t to) { knn_rows(rows.data(), n, dim, kk, from, to, out.data()); };
  const std::size_t nt = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(threads), n));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < nt; ++t) pool.emplace_back(work, n * t / nt, n * (t + 1) / nt);
  work(0, n / nt);
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace

SmoteResult smote(std::span<const float> X, std::size_t dim, std::span<const int> labels, const SmoteOptions& opt) {
  if (dim == 0 || X.size() != labels.size() * dim) throw InvalidArgument("smote: X must hold labels.size() x dim values");
  if (opt.k < 1) throw InvalidArgument("smote: k must be at least 1");
  SmoteResult res;
  std::mt19937_64 rng(opt.seed);
  for (const auto& [cls, target] : opt.targets) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == cls) idx.push_back(i);
    if (idx.empty() || idx.size() >= target) continue;  // nothing to interpolate from, or enough
    if (idx.size() < static_cast<std::size_t>(opt.k) + 1)
      throw InvalidArgument("smote: class " + std::to_string(cls) + " has " + std::to_string(idx.size()) +
                            " rows, fewer than k + 1 = " + std::to_string(opt.k + 1));
    const auto nn = knn(X, dim, idx, opt.k, opt.threads);
    const std::size_t need = target - idx.size();
    std::uniform_int_distribution<std::size_t> pick(0, idx.size() * static_cast<std::size_t>(opt.k) - 1);
    std::uniform_real_distribution<float> step(0.0f, 1.0f);
    const std::size_t start = res.rows.size();
    res.rows.resize(start + need * dim);
    for (std::size_t s = 0; s < need; ++s) {
      const std::size_t p = pick(rng);
      const std::size_t row = p / static_cast<std::size_t>(opt.k);
      const std::size_t other = nn[p];
      const float g = step(rng);
      const float* a = X.data() + idx[row] * dim;
      const float* b = X.data() + idx[other] * dim;
      float* o = res.rows.data() + start + s * dim;
      for (std::size_t c = 0; c < dim; ++c) o[c] = a[c] + g * (b[c] - a[c]);
      res.labels.push_back(cls);
      res.parent.push_back(static_cast<std::int64_t>(idx[row]));
      res.neighbour.push_back(static_cast<std::int64_t>(idx[other]));
    }
  }
  return res;
}

}  // namespace heartwave
