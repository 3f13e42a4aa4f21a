// QRS detection: finding every heartbeat in a raw ECG lead.
//
// Detectors are created by name and fed the signal in blocks of any size (a
// whole recording is one block); each reports beats in increasing sample
// order, every one at most `delay_seconds()` after its R peak was fed, so the
// same detector serves whole recordings and live streams and both give the
// same beats. The input is one lead in any unit and either polarity, at any
// sampling rate from 50 Hz up; NaN and infinite samples (gaps) are held at
// the last valid value and yield no beats. A recording shorter than the
// detector's 2-second learning span yields no beats.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace heartwave {

inline constexpr const char* kDefaultQrsDetector = "hw";

class QrsDetector {
 public:
  virtual ~QrsDetector() = default;
  // Feeds the next samples; appends to `beats` the R peaks (sample numbers
  // from the start of the stream) that are now final.
  virtual void push(std::span<const double> block, std::vector<std::int64_t>& beats) = 0;
  // The stream has ended: appends the beats still pending.
  virtual void finish(std::vector<std::int64_t>& beats) = 0;
  // The most time between an R peak entering `push` and its report.
  virtual double delay_seconds() const = 0;
  virtual std::string name() const = 0;
};

// The detectors known by name, the default first.
std::vector<std::string> qrs_detector_names();
// Throws InvalidArgument for an unknown name or a sampling rate outside
// 50 Hz .. 20 kHz.
std::unique_ptr<QrsDetector> make_qrs_detector(const std::string& name, double fs);
// The whole signal at once: R peaks in increasing order, at least 200 ms
// apart (never duplicated, never a zero RR).
std::vector<std::int64_t> detect_qrs(std::span<const double> signal, double fs,
                                     const std::string& name = kDefaultQrsDetector);

}  // namespace heartwave
