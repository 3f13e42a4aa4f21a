#include "heartwave/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "heartwave/core/error.hpp"

namespace heartwave {

std::string_view to_string(Split s) noexcept {
  switch (s) {
    case Split::train: return "train";
    case Split::val: return "val";
    case Split::test: return "test";
  }
  return "?";
}

Protocol parse_protocol(std::string_view name) {
  if (name == "seed") return Protocol::seed;
  if (name == "inter-patient") return Protocol::inter_patient;
  throw InvalidArgument("unknown protocol '" + std::string(name) + "' (seed, inter-patient)");
}

std::string_view to_string(Protocol p) noexcept { return p == Protocol::seed ? "seed" : "inter-patient"; }

const std::vector<int>& ds1_records() {
  static const std::vector<int> r = {101, 106, 108, 109, 112, 114, 115, 116, 118, 119, 122,
                                     124, 201, 203, 205, 207, 208, 209, 215, 220, 223, 230};
  return r;
}
const std::vector<int>& ds2_records() {
  static const std::vector<int> r = {100, 103, 105, 111, 113, 117, 121, 123, 200, 202, 210,
                                     212, 213, 214, 219, 221, 222, 228, 231, 232, 233, 234};
  return r;
}
const std::vector<int>& paced_records() {
  static const std::vector<int> r = {102, 104, 107, 217};
  return r;
}

std::vector<Split> stratified_split(std::span<const int> labels, double train_frac, double val_frac,
                                    std::uint64_t seed) {
  if (train_frac < 0 || val_frac < 0 || train_frac + val_frac > 1.0)
    throw InvalidArgument("stratified_split: fractions must be non-negative and sum to at most 1");
  std::map<int, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);
  std::vector<Split> out(labels.size(), Split::test);
  std::mt19937_64 rng(seed);
  for (auto& [cls, idx] : by_class) {
    std::shuffle(idx.begin(), idx.end(), rng);
    const auto n = static_cast<double>(idx.size());
    const auto n_train = static_cast<std::size_t>(std::llround(n * train_frac));
    const auto n_val = std::min(idx.size() - n_train, static_cast<std::size_t>(std::llround(n * val_frac)));
    for (std::size_t j = 0; j < idx.size(); ++j)
      out[idx[j]] = j < n_train ? Split::train : j < n_train + n_val ? Split::val : Split::test;
  }
  return out;
}

std::vector<int> record_folds(std::span<const int> records, int k, std::uint64_t seed, std::span<const int> labels) {
  if (k < 2) throw InvalidArgument("record_folds: k must be at least 2");
  if (!labels.empty() && labels.size() != records.size())
    throw InvalidArgument("record_folds: " + std::to_string(labels.size()) + " labels for " + std::to_string(records.size()) + " rows");
  std::size_t classes = 1;
  for (int y : labels) {
    if (y < 0 || y > 255) throw InvalidArgument("record_folds: label " + std::to_string(y) + " out of range");
    classes = std::max(classes, static_cast<std::size_t>(y) + 1);
  }
  std::map<int, std::vector<double>> count;  // record -> rows per class
  std::vector<double> total(classes, 0.0);
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& c = count[records[i]];
    c.resize(classes, 0.0);
    const std::size_t y = labels.empty() ? 0 : static_cast<std::size_t>(labels[i]);
    c[y] += 1;
    total[y] += 1;
  }
  if (static_cast<int>(count.size()) < k)
    throw InvalidArgument("record_folds: " + std::to_string(count.size()) + " records cannot fill " + std::to_string(k) + " folds");
  // Shares: a record's rows of each class over all rows of that class.
  std::vector<std::pair<int, std::vector<double>>> recs;
  for (auto& [r, c] : count) {
    for (std::size_t y = 0; y < classes; ++y) c[y] = total[y] > 0 ? c[y] / total[y] : 0.0;
    recs.emplace_back(r, c);
  }
  std::mt19937_64 rng(seed);
  std::shuffle(recs.begin(), recs.end(), rng);
  auto weight = [](const std::vector<double>& share) { return std::accumulate(share.begin(), share.end(), 0.0); };
  std::stable_sort(recs.begin(), recs.end(), [&](auto& a, auto& b) { return weight(a.second) > weight(b.second); });
  std::vector<std::vector<double>> load(static_cast<std::size_t>(k), std::vector<double>(classes, 0.0));
  std::map<int, int> fold_of;
  for (const auto& [rec, share] : recs) {
    std::size_t best = 0;
    double best_cost = INFINITY;
    for (std::size_t f = 0; f < load.size(); ++f) {
      double cost = 0;
      for (std::size_t y = 0; y < classes; ++y) cost += (load[f][y] + share[y]) * (load[f][y] + share[y]) - load[f][y] * load[f][y];
      if (cost < best_cost) {
        best_cost = cost;
        best = f;
      }
    }
    for (std::size_t y = 0; y < classes; ++y) load[best][y] += share[y];
    fold_of[rec] = static_cast<int>(best);
  }
  std::vector<int> out(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) out[i] = fold_of[records[i]];
  return out;
}

}  // namespace heartwave
