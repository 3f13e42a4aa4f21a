// End-to-end inference from raw MIT-BIH signal gives each beat exactly the
// row it had in the dataset the model was trained on, in batch and one beat
// at a time.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>

#include "heartwave/data/reader.hpp"
#include "heartwave/infer/beat_pipeline.hpp"
#include "heartwave/beats/segment.hpp"
#include "heartwave/data/builder.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::TempDir;
using heartwave::test::expect_throw_with;

namespace {

struct Trained {
  TempDir dir;
  ModelBundle bundle;
};

// A seed-protocol dataset of two records (or 114, whose MLII is its second
// signal) and a small xgb-feat model on it.
std::unique_ptr<Trained> train_small(bool second_lead = false, const nlohmann::json& extra = nlohmann::json::object(),
                                     bool relative_morphology = false, bool signal_quality = false,
                                     bool second_lead_morphology = false) {
  auto t = std::make_unique<Trained>();
  BuildOptions o;
  o.data_dir = heartwave::test::mitdb_dir();
  o.out_dir = t->dir / "data";
  o.records = {"100", second_lead ? "114" : "208"};
  o.pre.second_lead = second_lead;
  o.pre.relative_morphology = relative_morphology;
  o.pre.signal_quality = signal_quality;
  o.pre.second_lead_morphology = second_lead_morphology;
  o.smote_targets = {{1, 200}, {3, 200}};
  if (second_lead) o.smote_targets = {{1, 200}};  // 100 + 114 hold too few F beats
  build_dataset(o);
  const auto splits = load_training_splits(o.out_dir, View::feat);
  nlohmann::json params = {{"num_round", 8}, {"f1_every", 0}};
  params.update(extra);
  auto model = create_classifier("xgb-feat", params, 1, 1);
  model->fit(splits.fit, splits.early, nullptr);
  const auto man = read_manifest(o.out_dir);
  save_bundle(t->dir / "m.hwm", *model, {{"preprocessing", man["preprocessing"]}, {"label_set", man["label_set"]}});
  t->bundle = load_bundle(t->dir / "m.hwm");
  return t;
}

// Every test-split beat of records 100 and 114 gets, from the raw
// two-lead recording, exactly its dataset row (whole records), and every
// `every`-th beat the same probabilities one beat at a time with the
// dominant beats given. `per_record` sees each record's result first.
void expect_dataset_rows_from_recordings(
    const BeatPipeline& pipe, const std::filesystem::path& data, std::size_t every,
    const std::function<void(const BeatPipeline::RecordResult&)>& per_record = [](const BeatPipeline::RecordResult&) {}) {
  const Rows test = load_evaluation_split(data, "test", View::feat);
  ASSERT_EQ(test.dim, pipe.row_width());
  std::size_t checked = 0;
  for (const std::string name : {"100", "114"}) {
    const Recording rec = to_recording(read_record(heartwave::test::mitdb_dir() / name));
    const auto anns = read_annotations(heartwave::test::mitdb_dir() / (name + ".atr"));
    const auto res = pipe.classify_record(rec, anns);
    per_record(res);
    std::map<std::int64_t, std::size_t> at;
    for (std::size_t i = 0; i < res.beats.beats.size(); ++i) at[res.beats.beats[i].r_sample] = i;
    const auto l1 = pipe.preprocessing().choose_lead(rec.leads, name), l2 = pipe.preprocessing().choose_second_lead(rec.leads, name);
    const auto tmpl = median_template(res.beats.windows, 187), tmpl2 = median_template(res.beats.windows2, 187);
    const auto times = beat_times(anns);
    for (std::size_t r = 0; r < test.n; ++r) {
      if (test.record[r] != std::stoi(name)) continue;
      ASSERT_TRUE(at.count(test.r_sample[r]));
      const std::size_t i = at[test.r_sample[r]];
      if (r % every == 0) {  // one beat at a time, both leads' windows
        const std::int64_t R = test.r_sample[r];
        const std::vector<double> raw(rec.samples[l1].begin() + R - 93, rec.samples[l1].begin() + R + 94);
        const std::vector<double> raw2(rec.samples[l2].begin() + R - 93, rec.samples[l2].begin() + R + 94);
        const std::int64_t one[] = {R};
        const auto p = pipe.classify_beat(raw, rr_features(times, one, rec.fs)[0], tmpl, raw2, tmpl2);
        for (std::size_t c = 0; c < 5; ++c) ASSERT_NEAR(p[c], res.proba[i * 5 + c], 1e-6f);
      }
      ASSERT_TRUE(std::equal(test.X.begin() + static_cast<std::ptrdiff_t>(r * test.dim),
                             test.X.begin() + static_cast<std::ptrdiff_t>((r + 1) * test.dim),
                             res.rows.begin() + static_cast<std::ptrdiff_t>(i * test.dim)))
          << name << " beat at " << test.r_sample[r];
      ++checked;
    }
  }
  EXPECT_EQ(checked, test.n);
}

}  // namespace

TEST(BeatPipeline, RawSignalGivesTheDatasetRowsAndProbabilities) {
  const auto t = train_small();
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  EXPECT_EQ(pipe.row_width(), 187u + kNumFeatures);
  const Rows test = load_evaluation_split(t->dir / "data", "test", View::feat);
  ASSERT_GT(test.n, 100u);
  const auto want = t->bundle.model->predict_proba(test.X, test.n);
  std::size_t checked = 0, single_checked = 0;
  for (const std::string name : {"100", "208"}) {
    const Recording rec = to_recording(read_record(heartwave::test::mitdb_dir() / name));
    const auto anns = read_annotations(heartwave::test::mitdb_dir() / (name + ".atr"));
    const auto res = pipe.classify_record(name, rec.samples[0], rec.fs, anns);
    std::map<std::int64_t, std::size_t> at;
    for (std::size_t i = 0; i < res.beats.beats.size(); ++i) at[res.beats.beats[i].r_sample] = i;
    const std::vector<float> tmpl = median_template(res.beats.windows, 187);
    const auto times = beat_times(anns);
    for (std::size_t r = 0; r < test.n; ++r) {
      if (test.record[r] != std::stoi(name)) continue;
      ASSERT_TRUE(at.count(test.r_sample[r])) << name << " beat at " << test.r_sample[r];
      const std::size_t i = at[test.r_sample[r]];
      // The row, bit for bit, and the model's output for it.
      ASSERT_TRUE(std::equal(test.X.begin() + static_cast<std::ptrdiff_t>(r * test.dim),
                             test.X.begin() + static_cast<std::ptrdiff_t>((r + 1) * test.dim),
                             res.rows.begin() + static_cast<std::ptrdiff_t>(i * test.dim)))
          << name << " beat at " << test.r_sample[r];
      for (std::size_t c = 0; c < 5; ++c) ASSERT_EQ(res.proba[i * 5 + c], want[r * 5 + c]);
      ++checked;
      // One beat at a time, from its raw window, RR features and the record's dominant beat.
      if (r % 7 == 0) {
        const std::int64_t R = test.r_sample[r];
        const std::vector<double> raw(rec.samples[0].begin() + R - 93, rec.samples[0].begin() + R + 94);
        const std::int64_t one[] = {R};
        const auto rr = rr_features(times, one, rec.fs);
        const auto p = pipe.classify_beat(raw, rr[0], tmpl);
        for (std::size_t c = 0; c < 5; ++c) EXPECT_NEAR(p[c], want[r * 5 + c], 1e-6f);
        ++single_checked;
      }
    }
  }
  EXPECT_EQ(checked, test.n);
  EXPECT_GT(single_checked, 10u);
  const std::vector<double> short_window(100, 0.0);
  expect_throw_with<InvalidArgument>([&] { pipe.classify_beat(short_window, RRFeatures{}, std::vector<float>(187)); }, "window has 100 samples");
}

TEST(BeatPipeline, TwoLeadModelsGetTheDatasetRowsFromRecordings) {
  const auto t = train_small(true);
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  EXPECT_TRUE(pipe.preprocessing().second_lead);
  EXPECT_EQ(pipe.row_width(), 187u + kNumFeatures + kNumSecondLeadFeatures);
  expect_dataset_rows_from_recordings(pipe, t->dir / "data", 11);
  const Recording rec = to_recording(read_record(heartwave::test::mitdb_dir() / "100"));
  const auto anns = read_annotations(heartwave::test::mitdb_dir() / "100.atr");
  {
    // Both leads' windows cut elsewhere (a two-lead CSV of beats): every
    // column but the RR features is the record's, bit for bit.
    const auto whole = pipe.classify_record(rec, anns);
    std::vector<double> raw, raw2;
    std::vector<std::int64_t> at;
    for (const auto& b : whole.beats.beats) {
      at.push_back(b.r_sample);
      raw.insert(raw.end(), rec.samples[0].begin() + b.r_sample - 93, rec.samples[0].begin() + b.r_sample + 94);
      raw2.insert(raw2.end(), rec.samples[1].begin() + b.r_sample - 93, rec.samples[1].begin() + b.r_sample + 94);
    }
    const auto cut = pipe.classify_windows("100", raw, at, raw2);
    ASSERT_EQ(cut.rows.size(), whole.rows.size());
    const std::size_t D = pipe.row_width();
    for (std::size_t i = 0; i < at.size(); ++i)
      for (std::size_t c = 0; c < D; ++c) {
        if (c >= 187 && c < 187 + kNumRRFeatures) continue;
        ASSERT_EQ(cut.rows[i * D + c], whole.rows[i * D + c]) << "beat " << i << " column " << c;
      }
    // The second lead matters: the first lead twice gives other template features.
    const auto twice = pipe.classify_windows("100", raw, at, raw);
    EXPECT_NE(twice.rows, cut.rows);
    expect_throw_with<InvalidArgument>([&] { pipe.classify_windows("100", raw, at, {raw2.data(), raw2.size() - 1}); },
                                       "second-lead samples");
  }
  // One lead cannot feed a two-lead model.
  expect_throw_with<InvalidArgument>([&] { pipe.classify_record("100", rec.samples[0], rec.fs, anns); }, "two leads are needed");
  expect_throw_with<InvalidArgument>([&] { pipe.classify_beat(std::vector<double>(187), RRFeatures{}, std::vector<float>(187)); },
                                     "uses two leads; the second lead");
  expect_throw_with<InvalidArgument>([&] { pipe.classify_windows("x", std::vector<double>(187), std::vector<std::int64_t>{100}); },
                                     "uses two leads and the beats hold one lead's windows");
  Recording one = rec;
  one.leads.resize(1);
  one.samples.resize(1);
  one.units.resize(1);
  expect_throw_with<InvalidArgument>([&] { pipe.classify_record(one, anns); }, "has 1 signal");
}

TEST(BeatPipeline, WindowsCutElsewhereGiveTheSameMorphology) {
  const auto t = train_small();
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  const Recording rec = to_recording(read_record(heartwave::test::mitdb_dir() / "208"));
  const auto anns = read_annotations(heartwave::test::mitdb_dir() / "208.atr");
  const auto whole = pipe.classify_record("208", rec.samples[0], rec.fs, anns);
  // The same beats handed over as raw windows with their times, as a CSV of beats would.
  std::vector<double> raw;
  std::vector<std::int64_t> at;
  for (const auto& b : whole.beats.beats) {
    at.push_back(b.r_sample);
    raw.insert(raw.end(), rec.samples[0].begin() + b.r_sample - 93, rec.samples[0].begin() + b.r_sample + 94);
  }
  const auto cut = pipe.classify_windows("208", raw, at);
  ASSERT_EQ(cut.rows.size(), whole.rows.size());
  const std::size_t D = pipe.row_width(), n = at.size();
  std::size_t same_class = 0, same_rr = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // Samples, morphology and template features are identical; RR features
    // can differ only where the annotations hold beats outside the windows.
    for (std::size_t c = 0; c < D; ++c) {
      if (c >= 187 && c < 187 + kNumRRFeatures) continue;
      ASSERT_EQ(cut.rows[i * D + c], whole.rows[i * D + c]) << "beat " << i << " column " << c;
    }
    same_rr += cut.rows[i * D + 187] == whole.rows[i * D + 187];
    same_class += argmax_rows({cut.proba.data() + i * 5, 5})[0] == argmax_rows({whole.proba.data() + i * 5, 5})[0];
  }
  EXPECT_GT(static_cast<double>(same_class) / static_cast<double>(n), 0.99);
  EXPECT_GT(static_cast<double>(same_rr) / static_cast<double>(n), 0.95);  // the pre-RR interval
  std::vector<std::int64_t> backwards = at;
  std::swap(backwards[0], backwards[1]);
  EXPECT_THROW(pipe.classify_windows("208", raw, backwards), InvalidArgument);
  EXPECT_THROW(pipe.classify_windows("208", {raw.data(), raw.size() - 1}, at), InvalidArgument);
}

TEST(BeatPipeline, IndependentBeatsNeedAModelThatReadsTheBeatAlone) {
  const Recording rec = to_recording(read_record(heartwave::test::mitdb_dir() / "208"));
  const auto anns = read_annotations(heartwave::test::mitdb_dir() / "208.atr");
  // A model reading the samples and the morphology only (no RR, no dominant beat).
  std::vector<std::size_t> alone;
  for (std::size_t c = 0; c < 187; ++c) alone.push_back(c);
  for (std::size_t f = kNumRRFeatures; f < kNumRRFeatures + kNumMorphologyFeatures; ++f) alone.push_back(187 + f);
  const auto t = train_small(false, {{"columns", alone}});
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  EXPECT_FALSE(pipe.needs_beat_times());
  const auto whole = pipe.classify_record("208", rec.samples[0], rec.fs, anns);
  // The beats as raw windows without times, in reverse order.
  const std::size_t n = whole.beats.beats.size(), D = pipe.row_width();
  ASSERT_GT(n, 2000u);
  std::vector<double> raw;
  for (std::size_t k = n; k-- > 0;) {
    const auto r = whole.beats.beats[k].r_sample;
    raw.insert(raw.end(), rec.samples[0].begin() + r - 93, rec.samples[0].begin() + r + 94);
  }
  const auto cut = pipe.classify_windows("beats", raw, {});
  ASSERT_EQ(cut.beats.beats.size(), n);
  std::size_t nan_context = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = n - 1 - i;
    EXPECT_EQ(cut.beats.beats[i].r_sample, -1);
    for (const std::size_t c : alone) ASSERT_EQ(cut.rows[i * D + c], whole.rows[k * D + c]) << "beat " << i << " column " << c;
    nan_context += std::isnan(cut.rows[i * D + 187]) && std::isnan(cut.rows[i * D + 187 + kNumRRFeatures + kNumMorphologyFeatures]);
    // The model reads nothing else, so each beat gets its probabilities bit for bit, wherever it stands.
    for (std::size_t j = 0; j < 5; ++j) ASSERT_EQ(cut.proba[i * 5 + j], whole.proba[k * 5 + j]) << "beat " << i;
  }
  EXPECT_EQ(nan_context, n);  // RR and dominant-beat features are unknown, not made up
  EXPECT_THROW(pipe.classify_windows("beats", {raw.data(), raw.size() - 1}, {}), InvalidArgument);

  // Models that read an RR or a dominant-beat column refuse beats without times.
  const auto every = train_small();
  const BeatPipeline all(every->bundle.meta, *every->bundle.model);
  EXPECT_TRUE(all.needs_beat_times());
  expect_throw_with<InvalidArgument>([&] { all.classify_windows("beats", raw, {}); }, "beats: the beats carry no R-peak sample numbers");
  std::vector<std::size_t> with_template = alone;
  with_template.push_back(187 + kNumRRFeatures + kNumMorphologyFeatures);
  const auto tpl = train_small(false, {{"columns", with_template}});
  EXPECT_TRUE(BeatPipeline(tpl->bundle.meta, *tpl->bundle.model).needs_beat_times());
}

TEST(BeatPipeline, DamagedPreprocessingIsAFormatError) {
  const auto t = train_small();
  nlohmann::json meta = t->bundle.meta;
  meta["preprocessing"]["filter"]["b"][0] = 0.5;
  expect_throw_with<FormatError>([&] { BeatPipeline(meta, *t->bundle.model); }, "filter coefficients differ");
  meta = t->bundle.meta;
  meta["preprocessing"]["window"].erase("after");
  expect_throw_with<FormatError>([&] { BeatPipeline(meta, *t->bundle.model); }, "'window.after'");
  meta = t->bundle.meta;
  meta["preprocessing"]["standardize"]["features"]["mean"].erase(0);
  expect_throw_with<FormatError>([&] { BeatPipeline(meta, *t->bundle.model); }, "standardisation of 'features'");
  // An integer field given as a number out of int's range, or with a
  // fraction, is refused (the fuzzer found 9.1e96 converted unchecked).
  for (const nlohmann::json& bad : {nlohmann::json(9.11111e96), nlohmann::json(93.5), nlohmann::json(4294967296LL)}) {
    meta = t->bundle.meta;
    meta["preprocessing"]["window"]["before"] = bad;
    expect_throw_with<FormatError>([&] { BeatPipeline(meta, *t->bundle.model); }, "'window.before'");
  }
}

// A model on the relative morphology (each morphology feature minus the
// dominant beat's) gets its dataset rows from raw signal, whole records and
// one beat at a time with the dominant beat given.
TEST(BeatPipeline, RelativeMorphologyModelsGetTheDatasetRows) {
  const auto t = train_small(true, nlohmann::json::object(), true);
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  EXPECT_TRUE(pipe.preprocessing().relative_morphology);
  const std::size_t F = kNumFeatures + kNumSecondLeadFeatures + kNumRelativeFeatures;
  EXPECT_EQ(pipe.row_width(), 187u + F);
  const auto names = read_manifest(t->dir / "data")["schema"]["feature_names"].get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), F);
  EXPECT_EQ(names[kNumFeatures + kNumSecondLeadFeatures], "rel_mean");
  EXPECT_EQ(names.back(), "rel_seg5_area");
  // The new columns are the beat's morphology minus the dominant beat's.
  const auto relative = [&](const BeatPipeline::RecordResult& res) {
    std::vector<float> dominant(kNumMorphologyFeatures);
    morphology_features(median_template(res.beats.windows, 187), 93, dominant);
    for (std::size_t i = 0; i < res.beats.beats.size(); i += 53)
      for (std::size_t k = 0; k < kNumRelativeFeatures; ++k)
        ASSERT_EQ(res.beats.features[i * F + kNumFeatures + kNumSecondLeadFeatures + k],
                  res.beats.features[i * F + kNumRRFeatures + k] - dominant[k]) << i << " " << k;
  };
  expect_dataset_rows_from_recordings(pipe, t->dir / "data", 13, relative);
  // Beats classified alone cannot know the dominant beat: the model needs times.
  EXPECT_TRUE(pipe.needs_beat_times());
}

// A model on the signal-quality columns gets its dataset rows from raw
// signal, whole records and one beat at a time (where the residue of the
// filter is computed again from the raw window).
TEST(BeatPipeline, SignalQualityModelsGetTheDatasetRows) {
  const auto t = train_small(true, nlohmann::json::object(), true, true);
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  EXPECT_TRUE(pipe.preprocessing().signal_quality);
  const std::size_t F0 = kNumFeatures + kNumSecondLeadFeatures + kNumRelativeFeatures, F = F0 + 2 * kNumQualityFeatures;
  EXPECT_EQ(pipe.row_width(), 187u + F);
  const auto names = read_manifest(t->dir / "data")["schema"]["feature_names"].get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), F);
  EXPECT_EQ(names[F0], "sq_hf");
  EXPECT_EQ(names.back(), "l2_sq_tv");
  // The turns and total variation are each lead's window against its dominant beat.
  const auto quality = [&](const BeatPipeline::RecordResult& res) {
    const std::vector<float> tmpl[2] = {median_template(res.beats.windows, 187), median_template(res.beats.windows2, 187)};
    std::vector<float> q(kNumQualityFeatures);
    for (std::size_t i = 0; i < res.beats.beats.size(); i += 47)
      for (int lead = 0; lead < 2; ++lead) {
        const auto& w = lead ? res.beats.windows2 : res.beats.windows;
        quality_features({w.data() + i * 187, 187}, 0.0, tmpl[lead], 93, q);
        for (std::size_t k = 1; k < kNumQualityFeatures; ++k)
          ASSERT_EQ(res.beats.features[i * F + F0 + lead * kNumQualityFeatures + k], q[k]) << i << " " << lead << " " << k;
      }
  };
  expect_dataset_rows_from_recordings(pipe, t->dir / "data", 13, quality);
  EXPECT_TRUE(pipe.needs_beat_times());
}

// A model on the second lead's relative morphology gets its dataset rows
// from raw signal, whole records and one beat at a time (where the second
// lead's dominant beat is given).
TEST(BeatPipeline, SecondLeadMorphologyModelsGetTheDatasetRows) {
  const auto t = train_small(true, nlohmann::json::object(), true, false, true);
  const BeatPipeline pipe(t->bundle.meta, *t->bundle.model);
  EXPECT_TRUE(pipe.preprocessing().second_lead_morphology);
  const std::size_t F0 = kNumFeatures + kNumSecondLeadFeatures + kNumRelativeFeatures, F = F0 + kNumSecondLeadRelativeFeatures;
  EXPECT_EQ(pipe.row_width(), 187u + F);
  const auto names = read_manifest(t->dir / "data")["schema"]["feature_names"].get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), F);
  EXPECT_EQ(names[F0], "l2_rel_mean");
  const auto second = [&](const BeatPipeline::RecordResult& res) {
    std::vector<float> dominant(kNumMorphologyFeatures), own(kNumMorphologyFeatures);
    morphology_features(median_template(res.beats.windows2, 187), 93, dominant);
    for (std::size_t i = 0; i < res.beats.beats.size(); i += 53) {
      morphology_features({res.beats.windows2.data() + i * 187, 187}, 93, own);
      for (std::size_t k = 0; k < kNumSecondLeadRelativeFeatures; ++k)
        ASSERT_EQ(res.beats.features[i * F + F0 + k], own[k] - dominant[k]) << i << " " << k;
    }
  };
  expect_dataset_rows_from_recordings(pipe, t->dir / "data", 13, second);
  EXPECT_TRUE(pipe.needs_beat_times());
  // A model file whose preprocessing asks for it without the second lead is refused.
  auto pre = t->bundle.meta["preprocessing"];
  pre["second_lead"] = false;
  heartwave::test::expect_throw_with<FormatError>([&] { preprocessing_from_json(pre); }, "second_lead_morphology without second_lead");
}
