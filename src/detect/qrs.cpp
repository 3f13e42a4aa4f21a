#include "heartwave/detect/qrs.hpp"

#include <cmath>

#include "heartwave/core/error.hpp"
#include "hw_detector.hpp"

namespace heartwave {

std::vector<std::string> qrs_detector_names() { return {"hw"}; }

std::unique_ptr<QrsDetector> make_qrs_detector(const std::string& name, double fs) {
  if (!std::isfinite(fs) || fs < 50 || fs > 20000)
    throw InvalidArgument("QRS detection needs a sampling rate between 50 Hz and 20 kHz, not " + std::to_string(fs));
  if (name == "hw") return std::make_unique<detect::HwDetector>(fs);
  std::string known;
  for (const std::string& n : qrs_detector_names()) known += (known.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown QRS detector '" + name + "' (known: " + known + ")");
}

std::vector<std::int64_t> detect_qrs(std::span<const double> signal, double fs, const std::string& name) {
  const auto detector = make_qrs_detector(name, fs);
  std::vector<std::int64_t> beats;
  detector->push(signal, beats);
  detector->finish(beats);
  return beats;
}

}  // namespace heartwave
