#include "heartwave/holter/episode_stream.hpp"

#include <algorithm>
#include <string>

#include "heartwave/core/error.hpp"

namespace heartwave {

namespace {
constexpr std::int32_t kS = 1, kV = 2;
constexpr std::size_t kCloseAfter = 3;  // beats after an episode's last that show it cannot grow
}  // namespace

EpisodeStream::EpisodeStream(double fs, EpisodeOptions options) : fs_(fs), o_(options) {
  if (!(fs > 0)) throw InvalidArgument("episode stream: no valid sampling rate");
  smooth_af({}, o_.af_smooth_beats);  // InvalidArgument for a bad smoothing
}

void EpisodeStream::push(std::int64_t r, std::int32_t cls, bool af) {
  if (finished_) throw InvalidArgument("episode stream: beat pushed after finish()");
  if (!r_.empty() && r <= r_.back())
    throw InvalidArgument("episode stream: beat " + std::to_string(beats()) + " at sample " + std::to_string(r) +
                          " is not after the one before");
  const std::size_t index = beats();
  af_buf_.emplace_back(r, af);
  decide_af(index, false);
  r_.push_back(r);
  cls_.push_back(cls);
  scan(false);
}

// The smoothed verdicts of the beats whose smoothing window is complete
// (all of them at the end), through the AF span state machine in order.
void EpisodeStream::decide_af(std::size_t latest, bool all) {
  const auto h = static_cast<std::size_t>(o_.af_smooth_beats / 2);
  while (af_next_ <= latest && (all || af_next_ + h <= latest)) {
    const std::size_t lo = af_next_ >= h ? af_next_ - h : 0, hi = std::min(latest, af_next_ + h);
    std::size_t on = 0;
    for (std::size_t k = lo; k <= hi; ++k) on += af_buf_[k - af_buf_base_].second;
    af_beat(af_next_, af_buf_[af_next_ - af_buf_base_].first, 2 * on > hi - lo + 1);
    ++af_next_;
    while (af_buf_base_ + h < af_next_) af_buf_.pop_front(), ++af_buf_base_;
  }
}

void EpisodeStream::af_beat(std::size_t index, std::int64_t r, bool af) {
  // AF: a span closes once a beat shows no later AF beat can join it.
  if (af_open_) {
    if (af_r_after_ < 0) af_r_after_ = r;
    const bool joins = index == af_last_ + 1 || static_cast<double>(r - af_r_last_) / fs_ <= o_.af_merge_gap_s;
    if (af && joins) {
      af_last_ = index, af_r_last_ = r, af_r_after_ = -1;
      af = false;  // taken
    } else if (static_cast<double>(r - af_r_last_) / fs_ > o_.af_merge_gap_s || af) {
      close_af();
    }
  }
  if (af) {
    af_open_ = true;
    af_first_ = af_last_ = index;
    af_r_first_ = af_r_last_ = r;
    af_r_after_ = -1;
  }
}

void EpisodeStream::close_af() {
  if (!af_open_) return;
  af_open_ = false;
  if (static_cast<double>(af_r_last_ - af_r_first_) / fs_ < o_.af_min_s) return;
  Episode e;
  e.type = EpisodeType::af;
  e.first_beat = af_first_, e.last_beat = af_last_;
  e.begin = af_r_first_;
  e.end = af_r_after_ >= 0 ? af_r_after_ : af_r_last_;
  e.beats = static_cast<int>(af_last_ - af_first_ + 1);
  e.rate_bpm = af_last_ > af_first_ ? 60.0 * static_cast<double>(af_last_ - af_first_) * fs_ /
                                          static_cast<double>(af_r_last_ - af_r_first_)
                                    : 0.0;
  out_.push_back(e);
}

void EpisodeStream::scan(bool all) {
  const std::vector<Episode> found = find_episodes(r_, cls_, {}, fs_, o_);
  for (const Episode& w : found) {
    const bool instant = w.type == EpisodeType::pause || w.type == EpisodeType::asystole;
    if (!all && !instant && w.last_beat + kCloseAfter >= r_.size()) continue;
    if (!emitted_.emplace(static_cast<int>(w.type), base_ + w.first_beat).second) continue;
    Episode e = w;
    e.first_beat += base_, e.last_beat += base_;
    out_.push_back(e);
  }
  if (!all) trim(found);
}

void EpisodeStream::trim(const std::vector<Episode>& found) {
  const std::size_t n = r_.size();
  if (n <= 2 * kEpisodeWindowKeep) return;
  // The latest beat, at least kEpisodeWindowKeep from the end, where the
  // batch scan starts afresh.
  std::size_t t = n - kEpisodeWindowKeep;
  for (; t >= 1; --t) {
    if (cls_[t] == cls_[t - 1] && (cls_[t] == kS || cls_[t] == kV)) continue;
    bool inside = false;
    for (const Episode& e : found)
      if (e.first_beat < t && t <= e.last_beat) inside = true;
    if (!inside) break;
  }
  if (t == 0) return;
  r_.erase(r_.begin(), r_.begin() + static_cast<std::ptrdiff_t>(t));
  cls_.erase(cls_.begin(), cls_.begin() + static_cast<std::ptrdiff_t>(t));
  base_ += t;
  for (auto it = emitted_.begin(); it != emitted_.end();) it = it->second < base_ ? emitted_.erase(it) : std::next(it);
}

void EpisodeStream::finish() {
  if (finished_) return;
  finished_ = true;
  if (!r_.empty()) scan(true);
  if (beats() > 0) decide_af(beats() - 1, true);
  close_af();
}

std::vector<Episode> EpisodeStream::take() {
  std::vector<Episode> out;
  out.swap(out_);
  return out;
}

}  // namespace heartwave
