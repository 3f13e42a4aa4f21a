#include "heartwave/eval/metrics_document.hpp"

#include <cmath>

namespace heartwave {

nlohmann::json metrics_document(const Metrics& m, std::span<const std::int32_t> truth, std::span<const std::int32_t> pred,
                                std::span<const std::int32_t> record, std::span<const std::int64_t> r_sample, double fs,
                                const std::string& split, const nlohmann::json& protocol) {
  nlohmann::json j = to_json(m);
  j["split"] = split;
  j["protocol"] = protocol;
  // EC57 as bxb runs by default: the same figures from minute 5 of each record.
  const Ec57Figures late = ec57_from(truth, pred, r_sample, static_cast<std::int64_t>(std::llround(kEc57LearningSeconds * fs)));
  j["ec57"]["from_minute_5"] = to_json(late);
  // Beats of one patient are not independent: confidence intervals resample records.
  if (protocol != "seed") j["bootstrap_95ci"] = bootstrap_by_record(truth, pred, record, 1000, 42);
  return j;
}


}  // namespace heartwave
