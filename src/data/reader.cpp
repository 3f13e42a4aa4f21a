#include "heartwave/data/reader.hpp"

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/data/npy.hpp"
#include "heartwave/io/sha256.hpp"

namespace heartwave {
namespace {

NpyArray read_verified(const std::filesystem::path& dir, const std::string& rel, const nlohmann::json& man) {
  const auto bytes = read_file_bytes(dir / rel);
  if (!man["files"].contains(rel)) throw FormatError((dir / rel).string() + ": not listed in manifest.json");
  const std::string want = man["files"][rel]["sha256"].get<std::string>();
  if (sha256_hex(bytes) != want)
    throw ChecksumError((dir / rel).string() + ": SHA-256 does not match manifest.json (file changed or corrupt)");
  return parse_npy(bytes, (dir / rel).string());
}

template <class T>
std::vector<T> column(const NpyArray& a, const std::string& descr, const std::string& what) {
  if (a.descr != descr || a.shape.size() != 1) throw FormatError(what + ": expected a 1-D " + descr + " array");
  const auto s = a.as<T>();
  return {s.begin(), s.end()};
}

Rows read_rows(const std::filesystem::path& dir, const std::string& split, View view, const nlohmann::json& man) {
  Rows r;
  const auto X = read_verified(dir, split + "/" + to_string(view) + ".npy", man);
  if (X.descr != "<f4" || X.shape.size() != 2) throw FormatError(split + "/" + to_string(view) + ".npy: expected a 2-D float32 array");
  r.n = X.shape[0];
  r.dim = X.shape[1];
  const auto xs = X.as<float>();
  r.X.assign(xs.begin(), xs.end());
  r.y = column<std::int32_t>(read_verified(dir, split + "/y.npy", man), "<i4", split + "/y.npy");
  r.record = column<std::int32_t>(read_verified(dir, split + "/record.npy", man), "<i4", split + "/record.npy");
  r.r_sample = column<std::int64_t>(read_verified(dir, split + "/r_sample.npy", man), "<i8", split + "/r_sample.npy");
  if (r.y.size() != r.n || r.record.size() != r.n || r.r_sample.size() != r.n)
    throw FormatError(split + ": row counts of the files differ");
  if (man["files"].contains(split + "/fold.npy")) {
    r.fold = column<std::int32_t>(read_verified(dir, split + "/fold.npy", man), "<i4", split + "/fold.npy");
    if (r.fold.size() != r.n) throw FormatError(split + "/fold.npy: row count differs");
  }
  if (man["files"].contains(split + "/rhythm.npy")) {
    r.rhythm = column<std::int32_t>(read_verified(dir, split + "/rhythm.npy", man), "<i4", split + "/rhythm.npy");
    if (r.rhythm.size() != r.n) throw FormatError(split + "/rhythm.npy: row count differs");
  }
  for (auto v : r.y)
    if (v < 0 || v > 4) throw FormatError(split + "/y.npy: class index " + std::to_string(v) + " out of range");
  return r;
}

}  // namespace

Rows select_rows(const Rows& in, const std::vector<bool>& keep) {
  Rows r;
  r.dim = in.dim;
  for (std::size_t i = 0; i < in.n; ++i) {
    if (!keep[i]) continue;
    r.X.insert(r.X.end(), in.X.begin() + static_cast<std::ptrdiff_t>(i * in.dim),
               in.X.begin() + static_cast<std::ptrdiff_t>((i + 1) * in.dim));
    r.y.push_back(in.y[i]);
    r.record.push_back(in.record[i]);
    r.r_sample.push_back(in.r_sample[i]);
    if (!in.fold.empty()) r.fold.push_back(in.fold[i]);
    if (!in.rhythm.empty()) r.rhythm.push_back(in.rhythm[i]);
    ++r.n;
  }
  return r;
}

Rows without_af_rows(const Rows& in) {
  if (in.rhythm.size() != in.n)
    throw FormatError("the dataset has no rhythm column (train/rhythm.npy) to leave AF beats out of fitting: only inter-patient "
                      "datasets carry it, from this heartwave on (rebuild older ones)");
  std::vector<bool> keep(in.n);
  for (std::size_t i = 0; i < in.n; ++i) keep[i] = in.rhythm[i] != 1;
  return select_rows(in, keep);
}

View parse_view(const std::string& name) {
  if (name == "base") return View::base;
  if (name == "feat") return View::feat;
  if (name == "feat_only") return View::feat_only;
  throw InvalidArgument("unknown dataset view '" + name + "' (base, feat, feat_only)");
}

std::string to_string(View v) {
  switch (v) {
    case View::base: return "base";
    case View::feat: return "feat";
    case View::feat_only: return "feat_only";
  }
  return "?";
}

nlohmann::json read_manifest(const std::filesystem::path& dir) {
  const auto text = read_file_text(dir / "manifest.json");
  nlohmann::json man;
  try {
    man = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ParseError((dir / "manifest.json").string() + ": " + e.what());
  }
  validate_manifest(man, (dir / "manifest.json").string());
  return man;
}

void validate_manifest(const nlohmann::json& man, const std::string& where) {
  const auto bad = [&](const std::string& what) { return FormatError(where + ": " + what); };
  const auto has = [&](const nlohmann::json& o, const char* key, bool (nlohmann::json::*is)() const noexcept) {
    return o.is_object() && o.contains(key) && (o[key].*is)();
  };
  const auto count_in = [&](const nlohmann::json& o, const char* key, std::int64_t lo, std::int64_t hi) {
    return o.is_object() && o.contains(key) && json_integer_in(o[key], lo, hi).has_value();
  };
  if (!has(man, "format", &nlohmann::json::is_string) || man["format"] != "heartwave-dataset")
    throw bad("not a heartwave dataset manifest");
  if (!has(man, "format_version", &nlohmann::json::is_number_integer)) throw bad("'format_version' is not an integer");
  if (man["format_version"] != 1)
    throw UnsupportedError(where + ": dataset format version " + man["format_version"].dump() + " not supported");
  if (!has(man, "protocol", &nlohmann::json::is_string) || (man["protocol"] != "seed" && man["protocol"] != "inter-patient"))
    throw bad("'protocol' must be \"seed\" or \"inter-patient\"");
  for (const char* key : {"files", "splits", "schema", "preprocessing", "parameters"})
    if (!has(man, key, &nlohmann::json::is_object)) throw bad(std::string("'") + key + "' is missing or not an object");
  if (!has(man, "label_set", &nlohmann::json::is_string)) throw bad("'label_set' is missing or not a string");
  if (!has(man, "classes", &nlohmann::json::is_array)) throw bad("'classes' is missing or not a list");
  for (const auto& [name, f] : man["files"].items())
    if (!has(f, "sha256", &nlohmann::json::is_string)) throw bad("files['" + name + "'] has no 'sha256' string");
  for (const auto& [name, sp] : man["splits"].items())
    if (!sp.is_object()) throw bad("splits['" + name + "'] is not an object");
  const auto& schema = man["schema"];
  if (!has(schema, "feature_names", &nlohmann::json::is_array)) throw bad("'schema.feature_names' is missing or not a list");
  for (const auto& n : schema["feature_names"])
    if (!n.is_string()) throw bad("'schema.feature_names' holds a non-string");
  if (!has(schema, "feat", &nlohmann::json::is_object) ||
      !count_in(schema["feat"], "columns", static_cast<std::int64_t>(schema["feature_names"].size()), 1'000'000))
    throw bad("'schema.feat.columns' must be an integer, at least the number of feature names");
  const auto& pre = man["preprocessing"];
  if (!has(pre, "fs", &nlohmann::json::is_number) || !(pre["fs"].get<double>() > 0 && pre["fs"].get<double>() < 1e6))
    throw bad("'preprocessing.fs' must be a sampling rate in Hz");
  if (man["protocol"] == "inter-patient") {
    const auto& par = man["parameters"];
    if (!count_in(par, "folds", 1, 1000))
      throw bad("'parameters.folds' must be an integer in [1, 1000]");
  }
}

TrainingSplits load_training_splits(const std::filesystem::path& dir, View view, int early_fold, int held_out_fold,
                                    bool exclude_af) {
  const auto man = read_manifest(dir);
  TrainingSplits t;
  t.protocol = man["protocol"].get<std::string>();
  t.manifest_sha256 = sha256_file(dir / "manifest.json");
  if (t.protocol == "seed") {
    if (held_out_fold >= 0) throw InvalidArgument("held-out folds exist only in inter-patient datasets");
    if (exclude_af) throw InvalidArgument("leaving AF beats out needs an inter-patient dataset (its DS1 rhythm column)");
    t.fit = read_rows(dir, "train", view, man);
    if (early_fold == -1) {
      t.description = "fit on train (with its SMOTE rows), no early stopping (the configured number of rounds or epochs)";
      return t;
    }
    t.early = read_rows(dir, "val", view, man);
    t.description = "fit on train (with its SMOTE rows), early stopping on val";
    return t;
  }
  // Inter-patient: DS1 only. One record-grouped fold is held out for early
  // stopping; SMOTE rows (fold -1) were made from all of DS1, so they would
  // leak the held-out records' beats into fitting: they are dropped.
  const Rows ds1 = read_rows(dir, "train", view, man);
  if (ds1.fold.empty()) throw FormatError((dir / "train").string() + ": inter-patient train split lacks fold.npy");
  if (held_out_fold >= 0 && held_out_fold == early_fold)
    throw InvalidArgument("the held-out fold cannot also be the early-stopping fold");
  if (early_fold < -1) throw InvalidArgument("early-stopping fold " + std::to_string(early_fold) + " is negative (-1: none)");
  std::vector<bool> fit(ds1.n), early(ds1.n), held(ds1.n);
  for (std::size_t i = 0; i < ds1.n; ++i) {
    fit[i] = ds1.fold[i] >= 0 && ds1.fold[i] != early_fold && ds1.fold[i] != held_out_fold;
    early[i] = early_fold >= 0 && ds1.fold[i] == early_fold;
    held[i] = held_out_fold >= 0 && ds1.fold[i] == held_out_fold;
  }
  t.fit = select_rows(ds1, fit);
  t.early = select_rows(ds1, early);
  if (exclude_af) {
    t.fit = without_af_rows(t.fit);
    t.early = without_af_rows(t.early);
  }
  const bool stops = early_fold >= 0;
  if (t.fit.n == 0 || (stops && t.early.n == 0))
    throw InvalidArgument("fold " + std::to_string(early_fold) + " leaves no rows on one side");
  const std::string stopping = stops ? "early stopping on fold " + std::to_string(early_fold)
                                     : "no early stopping (the configured number of rounds or epochs)";
  t.description = (stops ? "DS1 only: fit on folds != " + std::to_string(early_fold) : std::string("DS1 only: fit on every fold")) +
                  " (real beats), " + stopping + "; DS2 is not read";
  if (held_out_fold >= 0) {
    t.held_out = select_rows(ds1, held);
    if (t.held_out.n == 0) throw InvalidArgument("fold " + std::to_string(held_out_fold) + " holds no rows");
    t.description = "DS1 only: fit on folds other than " + (stops ? std::to_string(early_fold) + " and " : std::string()) +
                    std::to_string(held_out_fold) + " (real beats), " + stopping + ", fold " + std::to_string(held_out_fold) +
                    " held out; DS2 is not read";
  }
  if (exclude_af) t.description += "; AF/flutter beats left out of fitting";
  return t;
}

Rows load_evaluation_split(const std::filesystem::path& dir, const std::string& split, View view) {
  const auto man = read_manifest(dir);
  if (!man["splits"].contains(split)) throw InvalidArgument((dir / "manifest.json").string() + ": no split '" + split + "'");
  return read_rows(dir, split, view, man);
}

}  // namespace heartwave
