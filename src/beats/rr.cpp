#include "heartwave/beats/rr.hpp"

#include <algorithm>

#include "heartwave/core/error.hpp"

namespace heartwave {

std::vector<RRFeatures> rr_features(std::span<const std::int64_t> beats, std::span<const std::int64_t> at,
                                    double fs) {
  if (!(fs > 0.0)) throw InvalidArgument("rr_features: fs must be positive");
  if (!std::is_sorted(beats.begin(), beats.end())) throw InvalidArgument("rr_features: beat times must be sorted");
  const std::size_t nb = beats.size();
  // prefix[j] = sum of intervals 1..j (interval j = beats[j] - beats[j-1]).
  std::vector<double> prefix(nb + 1, 0.0);
  for (std::size_t j = 1; j < nb; ++j) prefix[j] = prefix[j - 1] + static_cast<double>(beats[j] - beats[j - 1]) / fs;
  const double record_mean = nb >= 2 ? static_cast<double>(beats[nb - 1] - beats[0]) / fs / static_cast<double>(nb - 1)
                                     : 1.0;  // a lone beat: 60 bpm, the only neutral value there is
  std::vector<RRFeatures> out;
  out.reserve(at.size());
  for (std::int64_t t : at) {
    // k = number of beats strictly before t; next = first beat strictly after t.
    const auto k = static_cast<std::size_t>(std::lower_bound(beats.begin(), beats.end(), t) - beats.begin());
    const auto nx = static_cast<std::size_t>(std::upper_bound(beats.begin(), beats.end(), t) - beats.begin());
    double pre = k > 0 ? static_cast<double>(t - beats[k - 1]) / fs : -1.0;
    double post = nx < nb ? static_cast<double>(beats[nx] - t) / fs : -1.0;
    if (pre < 0 && post < 0) pre = post = record_mean;
    else if (pre < 0) pre = post;
    else if (post < 0) post = pre;
    // Local: pre plus up to 9 earlier intervals ending at beat k-1.
    double local = pre;
    if (k >= 2) {
      const std::size_t hi = k - 1;  // interval index ending at beats[k-1]
      const std::size_t lo = hi >= static_cast<std::size_t>(kLocalRRBeats - 1) ? hi - (kLocalRRBeats - 1) + 1 : 1;
      const double sum = prefix[hi] - prefix[lo - 1];
      local = (sum + pre) / static_cast<double>(hi - lo + 2);
    }
    out.push_back({pre, post, local, record_mean, pre / local, post / local, pre / record_mean, post / record_mean});
  }
  return out;
}

}  // namespace heartwave
