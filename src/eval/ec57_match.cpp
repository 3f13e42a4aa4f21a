// The EC57 beat-by-beat matching, following bxb's algorithm (WFDB 10.7)
// step for step so that every count and the RR error come out as bxb's: the
// same pairing rule, the same reading of VF and shutdown intervals, the same
// treatment of the learning period and of the record's end.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/ec57.hpp"
#include "ec57_common.hpp"

namespace heartwave {
namespace {

// WFDB annotation codes bxb looks at (ecgcodes.h).
constexpr int kNoise = 14, kVfOn = 32, kVfOff = 33;

// "No more beats": later than any annotation. A quarter of the int64 range so
// that differences of two times never overflow (times are checked against it).
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max() / 4;

// WFDB's isqrs table: the codes bxb reads as beats. It differs from
// is_beat_code() in one code: '!' (ventricular flutter wave, 31) is a QRS for
// WFDB, one that amap() below then gives no class.
bool bxb_is_beat(int code) {
  switch (code) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 11: case 12: case 13:
    case 25: case 30: case 31: case 34: case 35: case 38: case 41:
      return true;
    default:
      return false;
  }
}

// bxb's AAMI class of a beat code (with SVEB statistics, as -L reports):
// N L R B -> N; a J A S j e n -> S; V r E -> V; F -> F; Q / f ? -> Q; any
// other beat code (the flutter wave) -> O, a beat that is counted as none.
char bxb_class(int code) {
  switch (code) {
    case 1: case 2: case 3: case 25: return 'N';
    case 4: case 7: case 8: case 9: case 11: case 34: case 35: return 'S';
    case 5: case 10: case 41: return 'V';
    case 6: return 'F';
    case 12: case 13: case 30: case 38: return 'Q';
    default: return 'O';
  }
}

int class_index(char c) {
  switch (c) {
    case 'N': return 0;
    case 'S': return 1;
    case 'V': return 2;
    case 'F': return 3;
    case 'Q': return 4;
    case 'O': return 5;
    case 'X': return 6;
    default: return -1;  // 0 (no beat read yet) or '*' (end of file, or a test beat in reference VF): not counted
  }
}

bool shutdown_start(const Annotation& a) { return a.code == kNoise && (a.subtype & 0x30) == 0x30; }

// One annotation list read as bxb reads a file: the current and the next
// beat, the RR interval ending at the current one, and the last two VF and
// shutdown intervals met (-1: none).
struct Side {
  std::span<const Annotation> anns;
  std::size_t pos = 0;
  std::int64_t time = 0, next_time = 0;
  char label = 0, next_label = 0;
  std::int64_t rr = 0;  // 0 where no valid interval ends at `time`
  std::int64_t sd_on = -1, sd_off = -1, psd_on = -1, psd_off = -1;
  std::int64_t vf_on = -1, vf_off = -1, pvf_on = -1, pvf_off = -1;

  const Annotation* read() { return pos < anns.size() ? &anns[pos++] : nullptr; }
  void unread() { --pos; }
  bool in_shutdown(std::int64_t t) const {
    return (sd_on != -1 && sd_on <= t && (t <= sd_off || sd_off == -1)) ||
           (psd_on != -1 && psd_on <= t && t <= psd_off);
  }
  bool in_vf(std::int64_t t) const {
    return (vf_on != -1 && vf_on <= t && (t <= vf_off || vf_off == -1)) ||
           (pvf_on != -1 && pvf_on <= t && t <= pvf_off);
  }
};

class Matcher {
 public:
  Matcher(std::span<const Annotation> ref, std::span<const Annotation> test, Ec57Record& out)
      : out_(out), window_(out.window_samples), end_(out.end_sample) {
    ref_.anns = ref;
    test_.anns = test;
    // bxb starts the shutdown tally at half a second so that it rounds to the nearest second.
    shutdown_ = static_cast<std::int64_t>(0.5 * out.fs + 0.5);
  }

  void run(std::int64_t start) {
    // The first reference beat at or after the start; the last test beat
    // before it as the current one, the first at or after it as the next.
    do advance(ref_, false);
    while (ref_.time < start);
    do advance(test_, true);
    while (test_.next_time < start);
    Side& r = ref_;
    Side& t = test_;
    if (r.time - t.time < std::abs(r.time - t.next_time) && r.time - t.time <= window_) {
      if (r.label != 0 || t.label != 0) pair(r.label, t.label);  // both 0 only when starting at sample 0
      advance(ref_, false);
      advance(test_, true);
    } else {
      // A test beat just after the start that matches nothing is not counted.
      advance(test_, true);
      if (t.time - start <= window_ && std::abs(r.time - t.next_time) < std::abs(r.time - t.time)) advance(test_, true);
    }
    while (more()) {
      if (t.time < r.time) {
        // The test beat comes first: pair it if it is in the window and a
        // better match than the next test beat (or the next beats match each
        // other better than the reference beat matches the next test beat).
        if (r.time - t.time <= window_ &&
            (r.time - t.time < std::abs(r.time - t.next_time) ||
             std::abs(r.next_time - t.next_time) < std::abs(r.time - t.next_time))) {
          pair(r.label, t.label);
          advance(ref_, false);
          advance(test_, true);
        } else {
          pair(ref_.in_vf(t.time) ? '*' : ref_.in_shutdown(t.time) ? 'X' : 'O', t.label);
          advance(test_, true);
        }
      } else {
        if (t.time - r.time <= window_ &&
            (t.time - r.time < std::abs(t.time - r.next_time) ||
             std::abs(t.next_time - r.next_time) < std::abs(t.time - r.next_time))) {
          pair(r.label, t.label);
          advance(test_, true);
          advance(ref_, false);
        } else {
          pair(r.label, test_.in_shutdown(r.time) ? 'X' : 'O');  // VF marked by the test annotator changes nothing
          advance(ref_, false);
        }
      }
    }
    out_.shutdown_s = shutdown_ / out_.samples_per_second;
  }

 private:
  // The comparison runs until both current beats are past the end (or, with
  // no end, the reference list is exhausted; with end 0, either list).
  bool more() const {
    if (end_ > 0) return ref_.time <= end_ || test_.time <= end_;
    if (end_ == -1) return ref_.time != kNever;
    return ref_.time != kNever && test_.time != kNever;
  }

  // Moves to the next beat of a list, noting the VF and shutdown intervals
  // on the way: VF runs from a VFON to its VFOFF (whatever lies between is
  // skipped); shutdown from a NOISE annotation with bits 4 and 5 of its
  // subtype set to the next NOISE without them, or, when the next
  // annotation is anything else, from a window after the previous beat (or
  // VF end) to a window before that annotation. The test annotator's
  // shutdown is tallied.
  void advance(Side& s, bool is_test) {
    const std::int64_t prev = s.time;
    s.time = s.next_time;
    s.label = s.next_label;
    const auto between = [&](std::int64_t on) { return prev <= on && on < s.time; };
    s.rr = (prev == 0 || s.time == kNever || between(s.vf_on) || between(s.sd_on) || between(s.pvf_on) ||
            between(s.psd_on))
               ? 0
               : s.time - prev;
    while (const Annotation* a = s.read()) {
      if (bxb_is_beat(a->code)) {
        s.next_time = a->time;
        s.next_label = bxb_class(a->code);
        return;
      }
      if (shutdown_start(*a)) {
        s.psd_on = s.sd_on;
        s.psd_off = s.sd_off;
        s.sd_on = a->time;
        const Annotation* b = s.read();
        if (!b) {  // the file ends in shutdown
          s.next_time = kNever;
          s.next_label = '*';
          if (!is_test) s.sd_off = kNever;
          else if (end_ > 0) shutdown_ += end_ - s.sd_on;  // with no known end, bxb leaves it out
          return;
        }
        if (b->code == kNoise && !shutdown_start(*b)) {
          s.sd_off = b->time;
        } else {
          s.sd_on = (s.vf_off > s.time ? s.vf_off : s.time) + window_;
          s.sd_off = b->time - window_;
          if (s.sd_on > s.sd_off) s.sd_on = s.sd_off;
          s.unread();
        }
        if (is_test) shutdown_ += s.sd_off - s.sd_on;
      } else if (a->code == kVfOn) {
        s.pvf_on = s.vf_on;
        s.pvf_off = s.vf_off;
        s.vf_on = a->time;
        const Annotation* b = nullptr;
        do {
          b = s.read();
          if (!b) {  // the file ends in VF
            s.next_time = kNever;
            s.next_label = '*';
            return;
          }
        } while (b->code != kVfOff);
        s.vf_off = b->time;
      }
    }
    s.next_time = kNever;
    s.next_label = '*';
  }

  // Counts a pair (a label of 0 or '*' counts nothing; neither does O
  // against O or X) and, for every pair, the RR error when both current
  // beats end a valid RR interval.
  void pair(char ref, char test) {
    const int r = class_index(ref), t = class_index(test);
    if (r >= 0 && t >= 0 && !(r >= 5 && t >= 5)) ++out_.counts[static_cast<std::size_t>(r)][static_cast<std::size_t>(t)];
    if (ref_.rr > 0 && test_.rr > 0) {
      const double e = static_cast<double>(ref_.rr - test_.rr);
      out_.rr_sum_squares += e * e;
      ++out_.rr_intervals;
    }
  }

  Ec57Record& out_;
  Side ref_, test_;
  std::int64_t window_, end_, shutdown_ = 0;
};

// bxb reads the files in order, as WFDB requires them to be; beats out of
// order (which would make its counts meaningless) are refused instead.
void check_times(std::span<const Annotation> anns, const std::string& what, const std::string& record) {
  std::int64_t last_beat = std::numeric_limits<std::int64_t>::min();
  for (const Annotation& a : anns) {
    if (a.time <= -kNever / 2 || a.time >= kNever / 2)
      throw InvalidArgument("ec57: record " + record + ": " + what + " annotation time " + std::to_string(a.time) +
                            " out of range");
    if (!bxb_is_beat(a.code)) continue;
    if (a.time < last_beat)
      throw InvalidArgument("ec57: record " + record + ": " + what + " beat at sample " + std::to_string(a.time) +
                            " comes after one at " + std::to_string(last_beat) + " (annotations must be in time order)");
    last_beat = a.time;
  }
}

}  // namespace

char ec57_beat_class(int code) noexcept { return bxb_is_beat(code) ? bxb_class(code) : 0; }

Ec57Record ec57_compare(std::span<const Annotation> reference, std::span<const Annotation> test, double fs,
                        std::int64_t num_samples, const Ec57Options& options, std::string record_name) {
  const std::string where = "ec57: record " + record_name + ": ";
  ec57_detail::check_compare_options(fs, num_samples, options, record_name);
  check_times(reference, "reference", record_name);
  check_times(test, "test", record_name);

  Ec57Record out;
  out.record = std::move(record_name);
  out.fs = fs;
  // Times given in seconds become samples as WFDB's strtim() converts them (rounded).
  out.window_samples = static_cast<std::int64_t>(options.window_s * fs + 0.5);
  out.start_sample = static_cast<std::int64_t>(options.start_s * fs + 0.5);
  out.samples_per_second = static_cast<std::int64_t>(fs + 0.5);
  if (out.samples_per_second < 1) throw InvalidArgument(where + "sampling frequency below 0.5 Hz");
  out.end_sample = options.end_sample >= 0 ? options.end_sample : (num_samples > 0 ? num_samples : -1);
  if (out.end_sample > 0 && out.end_sample < out.start_sample)
    throw InvalidArgument(where + "the comparison would end (sample " + std::to_string(out.end_sample) +
                          ") before it starts (sample " + std::to_string(out.start_sample) + ")");
  Matcher(reference, test, out).run(out.start_sample);
  return out;
}

}  // namespace heartwave
