// Rhythm episodes as beats arrive: the same episodes find_episodes gives for
// the whole sequence (holter/episodes.hpp), each emitted once, as soon as
// no later beat can change it.
//
// Beats come in R order with their final class and AF verdict. Couplets,
// runs, bigeminy and trigeminy are found by find_episodes itself over a
// window of the latest beats; an episode is closed once 3 beats follow its
// last (a run ends at the first beat of another class; a bigeminy or
// trigeminy chain at the first cycle that breaks the pattern, which the 3
// beats after it show). The window is cut only at a beat where the batch
// scan starts afresh (not inside a run of S or V beats, nor inside an
// episode found in the window), so the window's episodes are the batch's.
// Pauses and asystole close with the beat that ends them. AF spans are
// followed beat by beat: a span closes when a beat arrives more than
// af_merge_gap_s after its last AF beat, and is emitted when it lasts at
// least af_min_s; with af_smooth_beats > 1 each verdict is taken
// af_smooth_beats / 2 beats late, once its smoothing window is complete.
// Unreadable-signal exclusions (find_episodes' `excluded`)
// are not applied: a stream does not judge segments.
//
// Memory: the window holds the beats of the longest open episode plus a
// margin of kEpisodeWindowKeep beats; it does not grow with the stream.
#pragma once
#include <cstdint>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "heartwave/holter/episodes.hpp"

namespace heartwave {

inline constexpr std::size_t kEpisodeWindowKeep = 32;

class EpisodeStream {
 public:
  // InvalidArgument for a sampling rate that is not positive.
  explicit EpisodeStream(double fs, EpisodeOptions options = {});

  // The next beat: R sample (after the last one's; InvalidArgument
  // otherwise), class 0..4 (N S V F Q), and the AF gate's verdict. Beat
  // indices in the episodes count the pushed beats from 0.
  void push(std::int64_t r, std::int32_t cls, bool af);
  // No more beats: every open episode closes. Further pushes throw.
  void finish();

  // The episodes closed since the last take(), in the order they closed.
  std::vector<Episode> take();
  std::size_t beats() const { return base_ + r_.size(); }
  std::size_t window_beats() const { return r_.size(); }

 private:
  double fs_;
  EpisodeOptions o_;
  bool finished_ = false;
  std::size_t base_ = 0;  // index of the window's first beat
  std::vector<std::int64_t> r_;
  std::vector<std::int32_t> cls_;
  std::set<std::pair<int, std::size_t>> emitted_;  // (type, first beat) of the window's emitted episodes
  std::vector<Episode> out_;
  // The open AF span: beats first..last (indices), and the R after the last
  // AF beat (the next beat's, or -1 while there is none).
  bool af_open_ = false;
  std::size_t af_first_ = 0, af_last_ = 0;
  std::int64_t af_r_first_ = 0, af_r_last_ = 0, af_r_after_ = -1;
  // Beats waiting for their smoothed AF verdict (af_smooth_beats / 2 later).
  std::deque<std::pair<std::int64_t, bool>> af_buf_;
  std::size_t af_buf_base_ = 0, af_next_ = 0;
  void decide_af(std::size_t latest, bool all);
  void af_beat(std::size_t index, std::int64_t r, bool af);
  void scan(bool all);
  void close_af();
  void trim(const std::vector<Episode>& found);
};

}  // namespace heartwave
