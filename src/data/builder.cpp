#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "heartwave/data/builder.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/core/parallel.hpp"
#include "heartwave/features/morphology.hpp"
#include "heartwave/beats/rhythm.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/data/npy.hpp"
#include "heartwave/io/sha256.hpp"
#include "heartwave/data/smote.hpp"
#include "heartwave/data/standardize.hpp"
#include "heartwave/io/text_parse.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave {
namespace {

using Clock = std::chrono::steady_clock;

// Writes an .npy file with `header`, its data coming from `produce`, which
// hands each piece of the data to `put` in order; hashes what it writes and
// returns the SHA-256. Written to PATH.tmp and renamed into place.
template <class Produce>
std::string write_npy_stream(const std::filesystem::path& path, std::span<const std::uint8_t> header, Produce&& produce) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw IoError(tmp.string() + ": cannot create");
  Sha256 h;
  bool ok = true;
  const auto put = [&](const void* data, std::size_t bytes) {
    h.update(data, bytes);
    ok = ok && std::fwrite(data, 1, bytes, f) == bytes;
  };
  put(header.data(), header.size());
  produce(put);
  if (std::fclose(f) != 0 || !ok) {
    std::filesystem::remove(tmp);
    throw IoError(tmp.string() + ": write failed");
  }
  std::filesystem::rename(tmp, path);
  return h.hex();
}

// An array of `shape` holding `values`.
template <class T>
std::string write_npy(const std::filesystem::path& path, std::span<const T> values, std::vector<std::uint64_t> shape) {
  std::uint64_t count = 1;
  for (auto s : shape) count *= s;
  if (count != values.size()) throw InvalidArgument(path.string() + ": shape does not match data");
  return write_npy_stream(path, npy_header(npy_descr<T>(), shape),
                          [&](auto& put) { put(values.data(), values.size_bytes()); });
}

// Columns [first, first + count) of a row-major rows x width matrix, copied
// out through a small buffer: the file write_npy would write for them.
std::string write_npy_columns(const std::filesystem::path& path, std::span<const float> matrix, std::size_t width,
                              std::size_t first, std::size_t count) {
  if (width == 0 || matrix.size() % width || first + count > width) throw InvalidArgument(path.string() + ": columns out of range");
  const std::uint64_t rows = matrix.size() / width;
  return write_npy_stream(path, npy_header(npy_descr<float>(), {rows, count}), [&](auto& put) {
    constexpr std::size_t kBlock = 2048;  // rows per write
    std::vector<float> buf(kBlock * count);
    for (std::uint64_t r0 = 0; r0 < rows; r0 += kBlock) {
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, rows - r0));
      for (std::size_t i = 0; i < k; ++i)
        std::copy_n(matrix.data() + (r0 + i) * width + first, count, buf.data() + i * count);
      put(buf.data(), k * count * sizeof(float));
    }
  });
}

nlohmann::json counts_json(const std::array<std::size_t, kNumClasses>& c) {
  nlohmann::json j = nlohmann::json::object();
  for (int k = 0; k < kNumClasses; ++k) j[std::string(class_name(k))] = c[static_cast<std::size_t>(k)];
  return j;
}

// One split's rows: each row its W samples then its F features (the feat
// view); base and feat_only are written as slices of it.
struct Rows {
  std::vector<float> feat;
  std::vector<std::int32_t> y, record, fold, rhythm;
  std::vector<std::int64_t> r_sample;
};

}  // namespace

std::vector<std::string> list_records(const std::filesystem::path& data_dir) {
  const auto text = read_file_text(data_dir / "RECORDS");
  std::vector<std::string> out;
  for (auto line : split_lines(text)) {
    line = trim(line);
    if (!line.empty()) out.emplace_back(line);
  }
  if (out.empty()) throw ParseError((data_dir / "RECORDS").string() + ": no records listed");
  return out;
}

BuildReport build_dataset(const BuildOptions& opt) {
  BuildReport report;
  auto t0 = Clock::now();
  auto lap = [&](const std::string& stage) {
    const auto now = Clock::now();
    report.stage_seconds.emplace_back(stage, std::chrono::duration<double>(now - t0).count());
    t0 = now;
  };
  auto progress = [&](const std::string& s, std::size_t d, std::size_t t) {
    if (opt.progress) opt.progress(s, d, t);
  };

  // Which records go where.
  std::vector<std::string> records = opt.records;
  std::map<std::string, Split> fixed_split;  // inter-patient assignment
  if (opt.protocol == Protocol::inter_patient) {
    for (int r : ds1_records()) fixed_split[std::to_string(r)] = Split::train;
    for (int r : ds2_records()) fixed_split[std::to_string(r)] = Split::test;
    if (records.empty())
      for (auto& [name, s] : fixed_split) records.push_back(name);
    for (const auto& r : records) {
      for (int p : paced_records())
        if (r == std::to_string(p)) throw InvalidArgument("record " + r + " is paced and excluded from the inter-patient protocol");
      if (!fixed_split.count(r)) throw InvalidArgument("record " + r + " is in neither DS1 nor DS2");
    }
  } else if (records.empty()) {
    records = list_records(opt.data_dir);
  }
  for (const auto& r : records)
    if (r.empty() || r.size() > 9 || r.find_first_not_of("0123456789") != std::string::npos)
      throw InvalidArgument("record name '" + r + "' is not an MIT-BIH record number");

  // Read and extract each record in parallel.
  std::vector<RecordBeats> per_record(records.size());
  std::vector<std::vector<std::int32_t>> per_record_af(records.size());  // 1: inside (AFIB or (AFL
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  parallel_for(records.size(), opt.threads, [&](std::size_t i) {
    const std::filesystem::path base = opt.data_dir / records[i];
    const Record rec = read_record(base);
    std::filesystem::path atr = base;
    atr += ".atr";
    const auto anns = read_annotations(atr);
    Recording recording = to_recording(rec);
    recording.name = records[i];
    per_record[i] = extract_beats(recording, anns, opt.labels, opt.pre);
    std::vector<std::int64_t> times;
    for (const auto& b : per_record[i].beats) times.push_back(b.r_sample);
    for (const auto& rh : rhythm_at(anns, times)) per_record_af[i].push_back(is_atrial_fibrillation_or_flutter(rh) ? 1 : 0);
    std::lock_guard lock(progress_mutex);
    progress("records", ++done, records.size());
  });
  lap("read+segment+filter+features");

  // Assign splits, then copy each beat once, into its split's rows.
  const auto W = static_cast<std::size_t>(opt.pre.window.length());
  const std::size_t F = opt.pre.num_features();
  const std::size_t D = W + F;
  std::size_t n = 0;
  for (const auto& r : per_record) n += r.beats.size();
  std::vector<int> labels(n), record_of(n);
  {
    std::size_t at = 0;
    for (std::size_t i = 0; i < per_record.size(); ++i)
      for (const auto& beat : per_record[i].beats) {
        labels[at] = beat.label;
        record_of[at++] = std::stoi(records[i]);
        ++report.total[static_cast<std::size_t>(beat.label)];
      }
  }
  std::vector<Split> split(n);
  if (opt.protocol == Protocol::seed) {
    split = stratified_split(labels, opt.train_frac, opt.val_frac, opt.seed);
  } else {
    for (std::size_t i = 0; i < n; ++i) split[i] = fixed_split.at(std::to_string(record_of[i]));
  }
  const std::vector<Split> split_order = opt.protocol == Protocol::seed
                                             ? std::vector<Split>{Split::train, Split::val, Split::test}
                                             : std::vector<Split>{Split::train, Split::test};
  std::map<Split, Rows> rows;
  {
    std::map<Split, std::size_t> count;
    for (Split sp : split) ++count[sp];
    for (Split sp : split_order) {
      Rows& r = rows[sp];
      const std::size_t m = count[sp];
      r.feat.resize(m * D);
      r.y.reserve(m);
      r.record.reserve(m);
      r.r_sample.reserve(m);
      r.rhythm.reserve(m);
    }
  }
  {
    std::size_t i = 0;
    for (std::size_t k = 0; k < per_record.size(); ++k) {
      RecordBeats& rb = per_record[k];
      for (std::size_t b = 0; b < rb.beats.size(); ++b, ++i) {
        Rows& r = rows[split[i]];
        float* row = r.feat.data() + r.y.size() * D;
        std::copy_n(rb.windows.data() + b * W, W, row);
        std::copy_n(rb.features.data() + b * F, F, row + W);
        r.y.push_back(labels[i]);
        r.record.push_back(record_of[i]);
        r.r_sample.push_back(rb.beats[b].r_sample);
        r.rhythm.push_back(per_record_af[k][b]);
      }
      rb = RecordBeats{};  // its memory back before the next record's rows are touched
    }
    per_record.clear();
  }
  // Standardise with statistics from the training rows only (real rows: SMOTE
  // comes after), the samples and the features each with their own. The
  // training split holds its rows in the order of all rows, so this is the
  // fit on the whole dataset masked to them.
  const Standardizer all_scaler = Standardizer::fit(rows[Split::train].feat, D);
  Standardizer base_scaler, feat_scaler;
  base_scaler.mean.assign(all_scaler.mean.begin(), all_scaler.mean.begin() + static_cast<std::ptrdiff_t>(W));
  base_scaler.scale.assign(all_scaler.scale.begin(), all_scaler.scale.begin() + static_cast<std::ptrdiff_t>(W));
  feat_scaler.mean.assign(all_scaler.mean.begin() + static_cast<std::ptrdiff_t>(W), all_scaler.mean.end());
  feat_scaler.scale.assign(all_scaler.scale.begin() + static_cast<std::ptrdiff_t>(W), all_scaler.scale.end());
  {
    // In place, in blocks of rows over the threads (each element's result does not depend on the blocking).
    std::vector<std::span<float>> blocks;
    constexpr std::size_t kRowsPerBlock = 4096;
    for (Split sp : split_order) {
      auto& X = rows[sp].feat;
      for (std::size_t r0 = 0; r0 * D < X.size(); r0 += kRowsPerBlock)
        blocks.emplace_back(X.data() + r0 * D, std::min(kRowsPerBlock * D, X.size() - r0 * D));
    }
    parallel_for(blocks.size(), opt.threads, [&](std::size_t i) { all_scaler.apply(blocks[i]); });
  }

  for (Split s : split_order) {
    SplitSummary& sum = report.splits[std::string(to_string(s))];
    for (int y : rows[s].y) ++sum.real[static_cast<std::size_t>(y)];
    std::set<int> recs(rows[s].record.begin(), rows[s].record.end());
    for (int r : recs) sum.records.push_back(std::to_string(r));
  }
  if (opt.protocol == Protocol::inter_patient) {
    Rows& tr = rows[Split::train];
    const auto folds = record_folds(tr.record, opt.folds, opt.seed, tr.y);
    tr.fold.assign(folds.begin(), folds.end());
  }
  lap("split+standardise");

  // SMOTE: training rows only, in the combined (samples + features) space.
  std::size_t synthetic_rows = 0;
  if (opt.smote) {
    Rows& tr = rows[Split::train];
    SmoteOptions so;
    so.targets = opt.smote_targets;
    so.k = opt.smote_k;
    so.seed = opt.seed;
    so.threads = opt.threads;
    const SmoteResult sm = smote(tr.feat, D, tr.y, so);
    synthetic_rows = sm.labels.size();
    tr.feat.insert(tr.feat.end(), sm.rows.begin(), sm.rows.begin() + static_cast<std::ptrdiff_t>(synthetic_rows * D));
    for (std::size_t i = 0; i < synthetic_rows; ++i) {
      tr.y.push_back(sm.labels[i]);
      tr.record.push_back(-1);
      tr.r_sample.push_back(-1);
      tr.rhythm.push_back(-1);
      if (!tr.fold.empty()) tr.fold.push_back(-1);
      ++report.splits["train"].synthetic[static_cast<std::size_t>(sm.labels[i])];
    }
  }
  lap("smote");

  // Write the files (two at a time) and the manifest.
  std::filesystem::create_directories(opt.out_dir);
  struct Job {
    std::string rel;
    std::function<std::string(const std::filesystem::path&)> write;
  };
  std::vector<Job> jobs;
  for (Split s : split_order) {
    const std::string dir(to_string(s));
    std::filesystem::create_directories(opt.out_dir / dir);
    Rows& r = rows[s];
    const std::uint64_t m = r.y.size();
    jobs.push_back({dir + "/base.npy", [&r, D, W](auto& p) { return write_npy_columns(p, r.feat, D, 0, W); }});
    jobs.push_back({dir + "/feat.npy", [&r, m, D](auto& p) { return write_npy<float>(p, r.feat, {m, D}); }});
    jobs.push_back({dir + "/feat_only.npy", [&r, D, W, F](auto& p) { return write_npy_columns(p, r.feat, D, W, F); }});
    jobs.push_back({dir + "/y.npy", [&r, m](auto& p) { return write_npy<std::int32_t>(p, r.y, {m}); }});
    jobs.push_back({dir + "/record.npy", [&r, m](auto& p) { return write_npy<std::int32_t>(p, r.record, {m}); }});
    jobs.push_back({dir + "/r_sample.npy", [&r, m](auto& p) { return write_npy<std::int64_t>(p, r.r_sample, {m}); }});
    if (!r.fold.empty())
      jobs.push_back({dir + "/fold.npy", [&r, m](auto& p) { return write_npy<std::int32_t>(p, r.fold, {m}); }});
    // The annotated rhythm, for keeping AF beats out of fitting: DS1 only.
    if (opt.protocol == Protocol::inter_patient && s == Split::train)
      jobs.push_back({dir + "/rhythm.npy", [&r, m](auto& p) { return write_npy<std::int32_t>(p, r.rhythm, {m}); }});
  }
  std::vector<std::string> digests(jobs.size());
  std::atomic<std::size_t> written{0};
  parallel_for(jobs.size(), opt.threads, [&](std::size_t i) {
    digests[i] = jobs[i].write(opt.out_dir / jobs[i].rel);
    std::lock_guard lock(progress_mutex);
    progress("files", ++written, jobs.size());
  });

  nlohmann::json man;
  man["heartwave_version"] = kVersion;
  man["build"] = build_info();
  man["format"] = "heartwave-dataset";
  man["format_version"] = 1;
  man["protocol"] = std::string(to_string(opt.protocol));
  man["label_set"] = std::string(to_string(opt.labels));
  nlohmann::json classes = nlohmann::json::array();
  for (int k = 0; k < kNumClasses; ++k)
    classes.push_back({{"index", k}, {"name", std::string(class_name(k))}, {"symbols", class_members(opt.labels, k)}});
  man["classes"] = classes;
  const auto fn = feature_names(opt.pre.second_lead, opt.pre.relative_morphology, opt.pre.signal_quality,
                                opt.pre.second_lead_morphology);
  man["schema"] = {
      {"base", {{"dtype", "float32"}, {"columns", W}, {"description", "filtered, standardised beat samples, R at index " + std::to_string(opt.pre.window.before)}}},
      {"feat", {{"dtype", "float32"}, {"columns", W + F}, {"description", "base columns then the standardised features"}}},
      {"feat_only", {{"dtype", "float32"}, {"columns", F}, {"description", "standardised features"}}},
      {"feature_names", fn},
      {"y", "int32 class index"},
      {"record", "int32 MIT-BIH record number, -1 for SMOTE rows"},
      {"r_sample", "int64 R-peak sample number at the record's rate, -1 for SMOTE rows"},
      {"fold", "int32 record-grouped fold inside DS1 (inter-patient train only), -1 for SMOTE rows"},
      {"rhythm", "int32 1 where the annotated rhythm is atrial fibrillation or flutter ((AFIB, (AFL), else 0; -1 for SMOTE "
                 "rows (inter-patient train only; for excluding those beats from fitting, never a model input)"},
  };
  const FilterCoefficients coef = opt.pre.coefficients();
  man["preprocessing"] = {
      {"lead_name", opt.pre.lead_name},
      {"lead", opt.pre.lead},
      {"second_lead", opt.pre.second_lead},
      {"fs", opt.pre.fs},
      {"window", {{"before", opt.pre.window.before}, {"after", opt.pre.window.after}}},
      {"remove_baseline", opt.pre.remove_baseline},
      {"filter", {{"applied", opt.pre.filter_beats}, {"design", "butterworth"}, {"type", std::string(to_string(opt.pre.filter_type))},
                  {"order", opt.pre.filter_order}, {"cutoff_hz", opt.pre.filter_cutoff_hz}, {"method", "filtfilt, odd padding, padlen 3*max(len(a),len(b))"},
                  {"b", coef.b}, {"a", coef.a}}},
      {"standardize", {{"fitted_on", "train (real rows only)"},
                       {"base", {{"mean", base_scaler.mean}, {"scale", base_scaler.scale}}},
                       {"features", {{"mean", feat_scaler.mean}, {"scale", feat_scaler.scale}}}}},
  };
  // Written only when used, so that datasets without it keep the
  // preprocessing object of the models trained before it existed.
  if (opt.pre.relative_morphology) man["preprocessing"]["relative_morphology"] = true;
  if (opt.pre.signal_quality) man["preprocessing"]["signal_quality"] = true;
  if (opt.pre.second_lead_morphology) man["preprocessing"]["second_lead_morphology"] = true;
  nlohmann::json smote_j = {{"applied", opt.smote}, {"k", opt.smote_k}, {"seed", opt.seed}, {"split", "train"}};
  nlohmann::json targets = nlohmann::json::object();
  for (auto& [c, t] : opt.smote_targets) targets[std::string(class_name(c))] = t;
  smote_j["targets"] = targets;
  smote_j["rows"] = synthetic_rows;
  man["parameters"] = {{"seed", opt.seed}, {"smote", smote_j}, {"data_dir", opt.data_dir.string()}};
  if (opt.protocol == Protocol::seed)
    man["parameters"]["fractions"] = {{"train", opt.train_frac}, {"val", opt.val_frac}, {"test", 1.0 - opt.train_frac - opt.val_frac}};
  else
    man["parameters"]["folds"] = opt.folds;
  nlohmann::json splits = nlohmann::json::object();
  for (auto& [name, s] : report.splits) {
    std::array<std::size_t, kNumClasses> all{};
    for (int k = 0; k < kNumClasses; ++k) all[static_cast<std::size_t>(k)] = s.real[static_cast<std::size_t>(k)] + s.synthetic[static_cast<std::size_t>(k)];
    splits[name] = {{"class_counts", counts_json(all)}, {"real_class_counts", counts_json(s.real)},
                    {"synthetic_class_counts", counts_json(s.synthetic)}, {"records", s.records}};
  }
  man["splits"] = splits;
  man["total_class_counts"] = counts_json(report.total);
  nlohmann::json files = nlohmann::json::object();
  for (std::size_t i = 0; i < jobs.size(); ++i) files[jobs[i].rel] = {{"sha256", digests[i]}};
  man["files"] = files;
  const std::string text = man.dump(2) + "\n";
  write_file_atomic(opt.out_dir / "manifest.json", text);
  report.manifest_sha256 = sha256_hex({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  lap("write");
  return report;
}

}  // namespace heartwave
