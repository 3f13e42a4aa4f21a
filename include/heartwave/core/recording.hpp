// A recording in physical units, whatever file it came from (WFDB, CSV).
#pragma once
#include <string>
#include <vector>

namespace heartwave {

struct Recording {
  std::string name;
  double fs = 0.0;                           // Hz
  std::vector<std::string> leads;            // one name per signal
  std::vector<std::string> units;            // one unit per signal ("mV")
  std::vector<std::vector<double>> samples;  // samples[lead][t]

  std::size_t num_samples() const { return samples.empty() ? 0 : samples[0].size(); }
};

}  // namespace heartwave
