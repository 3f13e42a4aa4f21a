#include "heartwave/split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "heartwave/error.hpp"

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

std::vector<int> record_folds(std::span<const int> records, int k, std::uint64_t seed) {
  if (k < 2) throw InvalidArgument("record_folds: k must be at least 2");
  std::map<int, std::size_t> rows;
  for (int r : records) ++rows[r];
  if (static_cast<int>(rows.size()) < k)
    throw InvalidArgument("record_folds: " + std::to_string(rows.size()) + " records cannot fill " +
                          std::to_string(k) + " folds");
  std::vector<std::pair<int, std::size_t>> recs(rows.begin(), rows.end());
  std::mt19937_64 rng(seed);
  std::shuffle(recs.begin(), recs.end(), rng);
  std::stable_sort(recs.begin(), recs.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::vector<std::size_t> load(static_cast<std::size_t>(k), 0);
  std::map<int, int> fold_of;
  for (auto& [rec, n] : recs) {
    const auto f = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[f] += n;
    fold_of[rec] = static_cast<int>(f);
  }
  std::vector<int> out(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) out[i] = fold_of[records[i]];
  return out;
}

}  // namespace heartwave
