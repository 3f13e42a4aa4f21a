#include "heartwave/features/morphology.hpp"

namespace heartwave {

std::vector<std::string> feature_names(bool second_lead, bool relative_morphology, bool signal_quality,
                                       bool second_lead_morphology) {
  std::vector<std::string> n = feature_names();
  if (second_lead)
    for (std::size_t i = kNumFeatures - kNumTemplateFeatures; i < kNumFeatures; ++i) n.push_back("l2_" + n[i]);
  if (relative_morphology)
    for (std::size_t i = kNumRRFeatures; i < kNumRRFeatures + kNumMorphologyFeatures; ++i) n.push_back("rel_" + n[i]);
  if (signal_quality)
    for (const char* prefix : {"", "l2_"}) {
      if (*prefix && !second_lead) break;
      for (const char* q : {"sq_hf", "sq_turns", "sq_tv"}) n.push_back(std::string(prefix) + q);
    }
  if (second_lead_morphology)
    for (std::size_t i = kNumRRFeatures; i < kNumRRFeatures + kNumMorphologyFeatures; ++i) n.push_back("l2_rel_" + n[i]);
  return n;
}

const std::vector<std::string>& feature_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {"rr_pre",       "rr_post",       "rr_local",       "rr_record",
                                  "rr_pre_local", "rr_post_local", "rr_pre_record",  "rr_post_record",
                                  "mean",         "std",           "var",            "median",
                                  "mad",          "skewness",      "kurtosis",       "max",
                                  "min",          "range",         "peak_to_peak",   "energy",
                                  "power",        "rms",           "zero_crossings", "mean_crossings",
                                  "max_over_std", "n_peaks",       "r_amplitude",    "r_position",
                                  "area"};
    for (const char* stat : {"mean", "std", "area"})
      for (int s = 1; s <= 5; ++s) n.push_back("seg" + std::to_string(s) + "_" + stat);
    for (const char* t : {"tpl_corr", "tpl_corr_qrs", "tpl_corr_p", "tpl_corr_t", "tpl_rms_diff", "tpl_r_ratio",
                          "tpl_energy_ratio", "tpl_p_energy_ratio"})
      n.emplace_back(t);
    return n;
  }();
  return names;
}

}  // namespace heartwave
