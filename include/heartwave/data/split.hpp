// Train/validation/test splits.
//   seed           stratified random split by beat (intra-patient: the same
//                  patients on both sides; kept only for comparison)
//   inter-patient  de Chazal et al. (2004) DS1 (train) / DS2 (test) by record,
//                  paced records excluded; record-grouped folds inside DS1
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace heartwave {

enum class Split : std::int8_t { train = 0, val = 1, test = 2 };
std::string_view to_string(Split s) noexcept;

enum class Protocol { seed, inter_patient };
Protocol parse_protocol(std::string_view name);  // "seed" | "inter-patient"
std::string_view to_string(Protocol p) noexcept;

const std::vector<int>& ds1_records();
const std::vector<int>& ds2_records();
const std::vector<int>& paced_records();  // 102 104 107 217

// Assigns each row to train/val/test so that every class is split in the
// given proportions (rounded per class), deterministically from `seed`.
std::vector<Split> stratified_split(std::span<const int> labels, double train_frac, double val_frac,
                                    std::uint64_t seed);

// Fold (0..k-1) of each row, grouping rows by record: all rows of a record
// share a fold. Stratified by class when `labels` (one per row) are given:
// after a seeded shuffle, records are dealt in order of the share of the
// classes they hold (sum over classes of their rows / the class's rows), each
// to the fold that keeps every class's share per fold most even (least sum of
// squared shares; ties: lowest fold). Without labels this is "largest record
// first, to the fold with the fewest rows".
std::vector<int> record_folds(std::span<const int> records, int k, std::uint64_t seed, std::span<const int> labels = {});

}  // namespace heartwave
