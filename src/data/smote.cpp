#include "heartwave/data/smote.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "heartwave/core/error.hpp"

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

// Keeps the k smallest (distance, index) pairs in a max-heap.
inline void offer(std::vector<std::pair<float, std::size_t>>& best, std::size_t kk, float d, std::size_t j) {
  if (best.size() < kk) {
    best.emplace_back(d, j);
    std::push_heap(best.begin(), best.end());
  } else if (std::make_pair(d, j) < best.front()) {
    std::pop_heap(best.begin(), best.end());
    best.back() = {d, j};
    std::push_heap(best.begin(), best.end());
  }
}

// Each unordered pair (i, j) is measured once and offered to both rows'
// heaps. Worker w owns the pairs whose smaller index lies in its share of
// rows (shares sized so that each holds about the same number of pairs) and
// keeps private heaps for all n rows; the heaps are merged afterwards. The
// k nearest (ties to the lower index) do not depend on the thread count.
// Compiled twice: AVX2 where the CPU has it, baseline x86-64 otherwise; the
// arithmetic is the same in both (no FMA), so the neighbours are too.
using Heap = std::vector<std::pair<float, std::size_t>>;

__attribute__((target_clones("avx2", "default")))
void pair_distances(const float* rows, std::size_t n, std::size_t dim, std::size_t kk, std::size_t from,
                    std::size_t to, std::vector<Heap>& heaps) {
  for (std::size_t i = from; i < to; ++i) {
    const float* a = rows + i * dim;
    for (std::size_t j = i + 1; j < n; ++j) {
      const float d = squared_distance(a, rows + j * dim, dim);
      offer(heaps[i], kk, d, j);
      offer(heaps[j], kk, d, i);
    }
  }
}

// k nearest neighbours (squared Euclidean, excluding the row itself) of every
// row in `idx`, returned as positions into `idx`.
std::vector<std::size_t> knn(std::span<const float> X, std::size_t dim, const std::vector<std::size_t>& idx, int k,
                             int threads) {
  const std::size_t n = idx.size();
  const auto kk = static_cast<std::size_t>(k);
  std::vector<float> rows(n * dim);
  for (std::size_t i = 0; i < n; ++i) std::copy_n(X.data() + idx[i] * dim, dim, rows.data() + i * dim);
  const std::size_t nt = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(threads), n));
  // Row i owns n - 1 - i pairs: split [0, n) so that each worker owns ~1/nt of them.
  std::vector<std::size_t> bounds = {0};
  const double total = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
  double acc = 0;
  for (std::size_t i = 0; i < n && bounds.size() < nt; ++i) {
    acc += static_cast<double>(n - 1 - i);
    if (acc >= total * static_cast<double>(bounds.size()) / static_cast<double>(nt)) bounds.push_back(i + 1);
  }
  while (bounds.size() <= nt) bounds.push_back(n);
  bounds.back() = n;
  std::vector<std::vector<Heap>> heaps(nt, std::vector<Heap>(n));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < nt; ++t)
    pool.emplace_back([&, t] { pair_distances(rows.data(), n, dim, kk, bounds[t], bounds[t + 1], heaps[t]); });
  pair_distances(rows.data(), n, dim, kk, bounds[0], bounds[1], heaps[0]);
  for (auto& th : pool) th.join();
  std::vector<std::size_t> out(n * kk);
  for (std::size_t i = 0; i < n; ++i) {
    Heap& h = heaps[0][i];
    for (std::size_t t = 1; t < nt; ++t)
      for (const auto& [d, j] : heaps[t][i]) offer(h, kk, d, j);
    std::sort_heap(h.begin(), h.end());
    for (std::size_t m = 0; m < kk; ++m) out[i * kk + m] = h[m].second;
  }
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
