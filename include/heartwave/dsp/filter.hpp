// IIR filter design and application. Pure functions: spans in, vectors out.
//   butter()   matches scipy.signal.butter(N, Wn, btype, fs=fs) (output 'ba')
//   lfilter()  matches scipy.signal.lfilter (direct form II transposed)
//   filtfilt() matches scipy.signal.filtfilt with padtype='odd' and the default
//              padlen = 3 * max(len(a), len(b))
#pragma once
#include <span>
#include <string_view>
#include <vector>

namespace heartwave {

enum class FilterType { lowpass, highpass, bandpass };

struct FilterCoefficients {
  std::vector<double> b;
  std::vector<double> a;
};

FilterType parse_filter_type(std::string_view name);  // "lowpass"/"highpass"/"bandpass"
std::string_view to_string(FilterType type) noexcept;

// Digital Butterworth design. `cutoff_hz` holds one frequency (low/high-pass)
// or two (band-pass), each in (0, fs/2). Throws InvalidArgument.
FilterCoefficients butter(int order, std::span<const double> cutoff_hz, FilterType type, double fs);

std::vector<double> lfilter(const FilterCoefficients& f, std::span<const double> x,
                            std::span<const double> zi = {});
// Steady-state initial conditions for a unit step (scipy.signal.lfilter_zi).
std::vector<double> lfilter_zi(const FilterCoefficients& f);
// Zero-phase forward-backward filtering. Throws InvalidArgument when the
// signal is not longer than the padding (as scipy does).
std::vector<double> filtfilt(const FilterCoefficients& f, std::span<const double> x);

// filtfilt prepared once (normalised coefficients, initial conditions) for hot
// loops over many short beats; apply() gives exactly filtfilt()'s result.
class ZeroPhaseFilter {
 public:
  explicit ZeroPhaseFilter(const FilterCoefficients& f);
  // Writes x.size() values to `out`; `scratch` is reused between calls.
  void apply(std::span<const double> x, std::span<double> out, std::vector<double>& scratch) const;
  std::size_t padlen() const { return padlen_; }

 private:
  std::vector<double> b_, a_, zi_;
  std::size_t padlen_;
};

}  // namespace heartwave
