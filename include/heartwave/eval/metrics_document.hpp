// metrics.json's figures for a set of predictions: the metrics, EC57's
// statistics whole and from minute 5 (bxb's default learning period) and,
// except for the seed protocol, 95% intervals by bootstrap over records.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "heartwave/eval/metrics.hpp"

namespace heartwave {

// bxb's default learning period: each record's first 5 minutes are left out
// of its statistics.
inline constexpr double kEc57LearningSeconds = 300;

// For predictions of beats from `record`s, at `r_sample`s of a recording
// sampled at `fs` Hz; `split` and `protocol` are recorded as given.
nlohmann::json metrics_document(const Metrics& m, std::span<const std::int32_t> truth, std::span<const std::int32_t> pred,
                                std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample, double fs,
                                const std::string& split, const nlohmann::json& protocol);

}  // namespace heartwave
