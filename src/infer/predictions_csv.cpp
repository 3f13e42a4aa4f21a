#include "heartwave/infer/predictions_csv.hpp"

#include <cstdio>

#include "heartwave/beats/label_sets.hpp"

namespace heartwave {

void append_prediction(std::string& out, const std::string& record, std::int64_t r_sample, std::string_view label,
                       int predicted, const float* p) {
  char buf[256];
  const std::string at = r_sample < 0 ? std::string() : std::to_string(r_sample);
  std::snprintf(buf, sizeof buf, "%s,%s,%.*s,%s,%.6f,%.6f,%.6f,%.6f,%.6f\n", record.c_str(), at.c_str(),
                static_cast<int>(label.size()), label.data(), std::string(class_name(predicted)).c_str(), p[0], p[1], p[2], p[3], p[4]);
  out += buf;
}

}  // namespace heartwave
