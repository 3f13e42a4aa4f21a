// Streaming analysis: blocks of samples in, classified beats out, as the
// signal arrives, with the same detector and the same beat pipeline as the
// batch `analyze` path (infer/analyze.hpp).
//
// Every beat is emitted twice:
//   * provisional, as soon as the detector reports it (within 1 s of its R
//     peak, in signal time, for all but the detector's own late beats: its
//     search-back beats and those of its first 2-s learning span, reported
//     up to QrsDetector::delay_seconds() = 3.5 s late; they are counted, and
//     flagged `late`), classified with the context known then;
//   * final, `final_delay_s` (default 60 s, at most that) after its R peak,
//     classified again and decided (class weights, rhythm step) with the
//     context known then: the mean RR, the dominant beat and the rhythm
//     step's record adaptation over everything seen so far, and the AF gate
//     over the neighbours seen so far (up to half_window either side).
// The batch path uses the whole record for these; docs/streaming.md says
// where and why the two differ, and by how much on MIT-BIH.
//
// Block-size independence: the analyzer processes the signal in chunks of
// kStreamChunk samples aligned on the stream's start, whatever the block
// sizes, so every event (its content and its `emitted_at`) is the same for
// any sequence of blocks. `emitted_at` is the stream position (samples fed)
// at which the event became available: a caller feeding larger blocks sees
// it at the end of the block holding that position.
//
// Memory is bounded whatever the recording's length: sample rings of a few
// seconds, a ring of the beats still needed (those within the final delay
// plus the gate window), a reservoir of at most `template_beats` beats'
// filtered windows for the dominant beat, and running sums for the mean RR
// and the record adaptation. memory_bytes() reports it.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "heartwave/detect/qrs.hpp"
#include "heartwave/holter/episode_stream.hpp"
#include "heartwave/infer/beat_pipeline.hpp"

namespace heartwave {

// The analyzer's processing grid, in samples (see above).
inline constexpr std::int64_t kStreamChunk = 8;

enum class BeatStage { provisional, final };
const char* stage_name(BeatStage stage);  // "provisional" / "final"

struct StreamBeat {
  BeatStage stage = BeatStage::provisional;
  std::int64_t sample = 0;       // R peak, at the stream's rate, from the stream's first sample
  std::int32_t cls = 4;          // 0..4: N S V F Q
  std::array<float, 5> proba{};  // all zero when not classified
  bool classified = false;       // false: too near the stream's ends for a window (class Q)
  std::int64_t emitted_at = 0;   // stream position (samples fed) at which the event became available
  bool late = false;             // provisional only: emitted more than 1 s after its R peak (a detector-late beat)
  bool af = false;               // final only: the AF gate's verdict (the model's rhythm step; false without one)
};

// A rhythm episode (holter/episodes.hpp) as it closes, over the final
// beats (beat indices count the final events from 0).
struct StreamEpisode {
  Episode episode;
  std::int64_t emitted_at = 0;  // stream position at which it closed
};

struct StreamOptions {
  std::string detector = kDefaultQrsDetector;
  // The stream's lead names (optional, one per lead): the model's lead
  // (MLII, else II) and second lead (V1, else another) are chosen among them
  // as analyze chooses; `lead` names the lead to use instead. Without names,
  // lead 0 is the primary lead and lead 1 the second.
  std::vector<std::string> lead_names;
  std::string lead;
  double final_delay_s = 60;  // > 0, at most kMaxFinalDelay
  bool use_weights = true;    // the model's class weights (false: argmax)
  bool use_rhythm_step = true;
  // Emit provisional events (false: only final ones reach the callback/queue).
  bool provisional = true;
  // The dominant beat: the per-sample median of a reservoir of at most this
  // many beats, evenly spread over the stream so far (every k-th beat, k a
  // power of two), recomputed every `template_refresh` beats (every beat
  // while the reservoir holds fewer than that).
  std::size_t template_beats = 301;
  int template_refresh = 32;
  // Diagnostics: context fixed from outside instead of the running
  // estimates (e.g. the batch path's whole-record values), to measure each
  // context term's share of the differences from batch. fixed_mean_rr_s > 0:
  // the record mean RR (seconds) of the RR features and of the rhythm step;
  // fixed_dominant (and fixed_dominant2 for the second lead; window length
  // each): the dominant beats.
  double fixed_mean_rr_s = 0;
  std::vector<float> fixed_dominant, fixed_dominant2;
  // Rhythm episodes over the final beats, as they close (EpisodeStream):
  // the same episodes analyze finds from the same final beats.
  bool episodes = true;
  EpisodeOptions episode_options;
};

inline constexpr double kMaxFinalDelay = 600;

struct StreamCounts {
  std::int64_t samples = 0;       // fed so far
  std::int64_t beats = 0;         // detected so far
  std::int64_t provisional = 0, final = 0;  // events emitted
  std::int64_t late = 0;          // provisional events beyond 1 s (the detector's late beats)
  std::int64_t episodes = 0;      // episodes emitted
  std::array<std::int64_t, 5> final_classes{};  // final events per class N S V F Q
};

class StreamAnalyzer {
 public:
  using Callback = std::function<void(const StreamBeat&)>;

  // `pipe` must outlive the analyzer. `fs` must be the model's rate (360 Hz
  // for the shipped models; UnsupportedError otherwise: resample first).
  // InvalidArgument for a bad lead count, an unknown lead name or detector,
  // a two-lead model with one lead, or a bad option.
  StreamAnalyzer(const BeatPipeline& pipe, double fs, int num_leads, StreamOptions options = {});
  virtual ~StreamAnalyzer();
  StreamAnalyzer(const StreamAnalyzer&) = delete;
  StreamAnalyzer& operator=(const StreamAnalyzer&) = delete;

  // Every event, in emission order, goes to the callback when one is set;
  // else to a queue read with take().
  void set_callback(Callback cb) { callback_ = std::move(cb); }
  // The queued events (without a callback), oldest first; the queue is emptied.
  std::vector<StreamBeat> take();
  // Episodes likewise: to their callback when one is set, else queued.
  void set_episode_callback(std::function<void(const StreamEpisode&)> cb) { episode_callback_ = std::move(cb); }
  std::vector<StreamEpisode> take_episodes();

  // The next samples, interleaved (frame after frame, num_leads values each,
  // in mV); any number of whole frames. NaN and infinite samples are gaps:
  // the detector holds the last valid value, the beat windows read 0 there
  // (as the batch path does). InvalidArgument for a partial frame, or after finish().
  void push(std::span<const double> interleaved);
  // The same with the leads in separate spans of equal length.
  void push_leads(std::span<const std::span<const double>> leads);
  // The stream has ended: every beat still pending is emitted, provisional
  // then final (emitted_at the stream's length). Further pushes throw.
  void finish();

  const StreamCounts& counts() const { return counts_; }
  double fs() const { return fs_; }
  std::int64_t final_delay_samples() const { return final_delay_; }
  // Heap bytes held now (rings, reservoir, beat history, queue), excluding
  // the model and the detector's own fixed state.
  std::size_t memory_bytes() const;
  // The most bytes memory_bytes() can reach with these options (whatever
  // the stream's length; the event queue excluded, which the caller drains).
  std::size_t memory_bound() const;

 protected:
  // Hooks for layers over the beats (e.g. rhythm episodes): called for every
  // event, after the callback or queue. Final beats come in R order, each
  // once, so an episode detector can run over on_final's sequence.
  virtual void on_provisional(const StreamBeat&) {}
  virtual void on_final(const StreamBeat&) {}

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  double fs_ = 0;
  std::int64_t final_delay_ = 0;
  StreamCounts counts_;
  Callback callback_;
  std::deque<StreamBeat> queue_;
  std::unique_ptr<EpisodeStream> episodes_;
  std::function<void(const StreamEpisode&)> episode_callback_;
  std::deque<StreamEpisode> episode_queue_;
  void emit(const StreamBeat& b);
  void emit_episodes(std::int64_t at);
  friend struct Impl;
};

}  // namespace heartwave
