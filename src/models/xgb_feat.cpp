// xgb-feat: gradient-boosted trees (XGBoost C API) on the filtered,
// standardised 187 samples plus the 52 engineered features, with balanced
// class weights and early stopping on held-out rows.
#include "xgb_feat.hpp"

#include <xgboost/c_api.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"
#include "params.hpp"
#include "tree_forest.hpp"

namespace heartwave {
namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw Error(ErrorKind::invalid_argument, std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

void quiet_once() {
  static std::once_flag once;
  std::call_once(once, [] { XGBSetGlobalConfig("{\"verbosity\": 0}"); });
}

struct DMatrix {
  DMatrixHandle h = nullptr;
  DMatrix(const Rows& r, const std::vector<float>* weights, int threads) {
    check(XGDMatrixCreateFromMat_omp(r.X.data(), r.n, r.dim, std::nanf(""), &h, threads), "DMatrix");
    std::vector<float> labels(r.y.begin(), r.y.end());
    check(XGDMatrixSetFloatInfo(h, "label", labels.data(), r.n), "labels");
    if (weights) check(XGDMatrixSetFloatInfo(h, "weight", weights->data(), r.n), "weights");
  }
  ~DMatrix() { XGDMatrixFree(h); }
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
};

// Balanced weights: n / (classes present * rows of the class), at most `cap`
// when cap > 0 (a class of a handful of rows, like Q in DS1, would otherwise
// weigh a thousand times a normal beat).
std::vector<float> balanced_weights(const std::vector<std::int32_t>& y, double cap) {
  std::array<std::size_t, 5> count{};
  for (auto v : y) ++count[static_cast<std::size_t>(v)];
  std::size_t present = 0;
  for (auto c : count) present += c > 0;
  std::vector<float> w(y.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    w[i] = static_cast<float>(std::min(cap > 0 ? cap : INFINITY, static_cast<double>(y.size()) / (static_cast<double>(present) * static_cast<double>(count[static_cast<std::size_t>(y[i])]))));
  return w;
}

// Record balance: within each class, a row's weight times
// (rows of the class / (records with the class x rows of the class in the row's record))^alpha,
// then scaled so that each class keeps its total weight. alpha 0: unchanged;
// 1: every record that has a class weighs the same in it, so one patient
// with hundreds of premature beats does not teach the model that patient's
// beats as "the" S class. Rows of record -1 (SMOTE) count as one record.
void balance_records(std::vector<float>& w, const std::vector<std::int32_t>& y, const std::vector<std::int32_t>& record, double alpha) {
  if (alpha == 0) return;
  if (record.size() != y.size()) throw InvalidArgument("xgb-feat: record_balance needs the rows' records");
  std::array<std::map<std::int32_t, double>, 5> per{};  // class -> record -> rows
  std::array<double, 5> total{}, before{}, after{};
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto c = static_cast<std::size_t>(y[i]);
    per[c][record[i]] += 1;
    total[c] += 1;
  }
  std::vector<double> scaled(w.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto c = static_cast<std::size_t>(y[i]);
    const double share = total[c] / (static_cast<double>(per[c].size()) * per[c][record[i]]);
    scaled[i] = static_cast<double>(w[i]) * std::pow(share, alpha);
    before[c] += w[i];
    after[c] += scaled[i];
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto c = static_cast<std::size_t>(y[i]);
    w[i] = static_cast<float>(scaled[i] * before[c] / after[c]);
  }
}

// "[12]\tfit-mlogloss:0.1234\tearly-mlogloss:0.2345" -> value after "name-mlogloss:"
double parse_metric(const std::string& s, const std::string& name) {
  const std::string key = name + "-mlogloss:";
  const auto p = s.find(key);
  if (p == std::string::npos) return std::nan("");
  return std::strtod(s.c_str() + p + key.size(), nullptr);
}

const nlohmann::json& defaults() {
  static const nlohmann::json d = {
      {"num_round", 1000},         {"early_stopping_rounds", 40}, {"eta", 0.1},
      {"max_depth", 6},            {"min_child_weight", 1.0},      {"subsample", 0.9},
      {"colsample_bytree", 0.7},   {"lambda", 1.0},                {"max_bin", 256},
      {"balanced_weights", true},  {"max_class_weight", 0.0},  // 0: no cap
      {"record_balance", 0.0},  // 0 to 1: how far each record weighs the same within a class (balance_records)
      {"f1_every", 10},
      // Columns of the feat view to use: all (samples + features) or only the
      // trailing engineered features (the raw samples identify patients more
      // than they describe beats).
      {"use_samples", true},       {"num_samples", 187},
      // When not empty: the column indices (of the row as given) to use,
      // instead of use_samples; for feature-subset experiments and tuning.
      {"columns", nlohmann::json::array()},
      // Inference: "native" (our own tree evaluator, tested to give
      // XGBoost's outputs, without its per-call overhead) or "xgboost".
      {"predictor", "native"},
  };
  return d;
}

// Every parameter's type and range, checked before any data is read (XGBoost
// itself would refuse some only at the first round, others not at all).
void check_params(const nlohmann::json& p) {
  const std::string f = "xgb-feat";
  constexpr std::int64_t many = 1'000'000;
  params::integer(p, "num_round", f, 1, many);
  params::integer(p, "early_stopping_rounds", f, 1, many);
  params::number(p, "eta", f, 0, 1, true);
  params::integer(p, "max_depth", f, 1, 64);
  params::number(p, "min_child_weight", f, 0, 1e9);
  params::number(p, "subsample", f, 0, 1, true);
  params::number(p, "colsample_bytree", f, 0, 1, true);
  params::number(p, "lambda", f, 0, 1e9);
  params::integer(p, "max_bin", f, 2, 65'536);
  params::boolean(p, "balanced_weights", f);
  params::number(p, "max_class_weight", f, 0, 1e9);
  params::number(p, "record_balance", f, 0, 1);
  params::integer(p, "f1_every", f, 0, many);
  params::boolean(p, "use_samples", f);
  params::integer(p, "num_samples", f, 0, many);
  params::integer_list(p, "columns", f, 0, many);
  params::choice(p, "predictor", f, {"native", "xgboost"});
}

// The rows restricted to the columns `cols` (all of them when `cols` is empty).
Rows select_columns(const Rows& in, const std::vector<std::size_t>& cols) {
  if (cols.empty()) return in;
  for (auto c : cols)
    if (c >= in.dim) throw InvalidArgument("xgb-feat: column " + std::to_string(c) + " does not exist (rows have " + std::to_string(in.dim) + ")");
  Rows r = in;
  r.dim = cols.size();
  r.X.resize(in.n * r.dim);
  for (std::size_t i = 0; i < in.n; ++i)
    for (std::size_t k = 0; k < cols.size(); ++k) r.X[i * r.dim + k] = in.X[i * in.dim + cols[k]];
  return r;
}

class XgbFeat final : public Classifier {
 public:
  XgbFeat(const nlohmann::json& params, std::uint64_t seed, int threads) : seed_(seed), threads_(threads) {
    quiet_once();
    params_ = defaults();
    for (const auto& [k, v] : params.items()) {
      if (!params_.contains(k)) throw InvalidArgument("xgb-feat: unknown parameter '" + k + "'");
      params_[k] = v;
    }
    check_params(params_);
  }
  ~XgbFeat() override {
    if (booster_) XGBoosterFree(booster_);
  }

  std::string family() const override { return "xgb-feat"; }
  View view() const override { return View::feat; }
  nlohmann::json params() const override { return params_; }

  TrainResult fit(const Rows& fit_all, const Rows& early_all, const TrainProgress& progress) override {
    const auto t0 = std::chrono::steady_clock::now();
    const Rows fit = select_columns(fit_all, columns(fit_all.dim));
    const bool stops = early_all.n > 0;  // without early rows (which may have no columns at all), no early stopping
    const Rows early = stops ? select_columns(early_all, columns(early_all.dim)) : Rows{};
    if (fit.n == 0) throw InvalidArgument("xgb-feat: no rows to fit");
    if (stops && fit.dim != early.dim) throw InvalidArgument("xgb-feat: fit and early-stopping rows differ in width");
    std::vector<float> w = params_["balanced_weights"].get<bool>() ? balanced_weights(fit.y, params_["max_class_weight"].get<double>()) : std::vector<float>();
    if (const double alpha = params_["record_balance"].get<double>(); alpha > 0) {
      if (w.empty()) w.assign(fit.n, 1.0f);
      balance_records(w, fit.y, fit.record, alpha);
    }
    DMatrix dfit(fit, w.empty() ? nullptr : &w, threads_);
    std::optional<DMatrix> dearly;
    if (stops) dearly.emplace(early, nullptr, threads_);
    if (booster_) XGBoosterFree(booster_);
    booster_ = nullptr;
    pending_.clear();
    DMatrixHandle cache[] = {dfit.h, stops ? dearly->h : nullptr};
    const int cached = stops ? 2 : 1;
    check(XGBoosterCreate(cache, cached, &booster_), "create");
    configure();
    const char* names[] = {"fit", "early"};
    const int rounds = params_["num_round"].get<int>();
    const int patience = params_["early_stopping_rounds"].get<int>();
    const int f1_every = params_["f1_every"].get<int>();
    TrainResult res;
    double best = INFINITY;
    for (int it = 0; it < rounds; ++it) {
      check(XGBoosterUpdateOneIter(booster_, it, dfit.h), "update");
      const char* out = nullptr;
      check(XGBoosterEvalOneIter(booster_, it, cache, names, cached, &out), "eval");
      TrainLogEntry e;
      e.iteration = it + 1;
      e.stage = "round";
      e.train_loss = parse_metric(out, "fit");
      e.early_loss = stops ? parse_metric(out, "early") : NAN;
      if (stops && f1_every > 0 && (it + 1) % f1_every == 0) {
        const auto pred = argmax_rows(predict_dmatrix(dearly->h, early.n, 0));
        e.early_macro_f1 = compute_metrics(early.y, pred).f1_macro;
      }
      res.log.push_back(e);
      if (progress) progress(it + 1, rounds, e);
      if (!stops) {
        res.best_iteration = it + 1;
      } else if (e.early_loss < best) {
        best = e.early_loss;
        res.best_iteration = it + 1;
      } else if (it + 1 - res.best_iteration >= patience) {
        break;
      }
    }
    // Keep the trees up to the best round only.
    BoosterHandle sliced = nullptr;
    check(XGBoosterSlice(booster_, 0, res.best_iteration, 1, &sliced), "slice");
    XGBoosterFree(booster_);
    booster_ = sliced;
    build_forest(save_weights());
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
  }

  std::vector<float> predict_proba(std::span<const float> X, std::size_t rows) const override {
    if (rows == 0) return {};
    if (X.size() % rows) throw InvalidArgument("xgb-feat: X is not rows x dim");
    std::size_t dim = X.size() / rows;
    if (forest_) {
      check_width(dim, forest_->num_features());
      return forest_->predict_proba(X, rows, dim, threads_);
    }
    std::vector<float> sliced;
    if (const auto cols = columns(dim); !cols.empty()) {
      Rows in;
      in.n = rows;
      in.dim = dim;
      in.X.assign(X.begin(), X.end());
      sliced = std::move(select_columns(in, cols).X);
      X = sliced;
      dim = cols.size();
    }
    // In-place prediction on the dense batch (no DMatrix copy).
    char iface[256];
    std::snprintf(iface, sizeof iface,
                  "{\"data\": [%llu, true], \"shape\": [%zu, %zu], \"typestr\": \"<f4\", \"version\": 3}",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(X.data())), rows, dim);
    const char* config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
                         "\"strict_shape\": true, \"missing\": NaN, \"cache_id\": 0}";
    const bst_ulong* shape = nullptr;
    bst_ulong ndim = 0;
    const float* out = nullptr;
    check(XGBoosterPredictFromDense(booster(), iface, config, nullptr, &shape, &ndim, &out), "predict");
    if (ndim != 2 || shape[0] != rows || shape[1] != 5) throw FormatError("xgb-feat: model does not output 5 classes");
    return {out, out + rows * 5};
  }

  std::vector<std::size_t> input_columns(std::size_t dim) const override {
    if (params_["columns"].empty() && params_["use_samples"].get<bool>()) return Classifier::input_columns(dim);
    auto cols = columns(dim);
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    return cols;
  }

  std::vector<std::uint8_t> save_weights() const override {
    bst_ulong len = 0;
    const char* buf = nullptr;
    check(XGBoosterSaveModelToBuffer(booster(), "{\"format\": \"ubj\"}", &len, &buf), "save");
    return {reinterpret_cast<const std::uint8_t*>(buf), reinterpret_cast<const std::uint8_t*>(buf) + len};
  }

  // Inference runs on our own tree evaluator, built from the bytes as
  // given; XGBoost reads them only when something needs its booster
  // (saving, its own predictor), so loading a model for inference never
  // starts XGBoost or its threads.
  void load_weights(std::span<const std::uint8_t> bytes) override {
    if (booster_) XGBoosterFree(booster_);
    booster_ = nullptr;
    pending_.assign(bytes.begin(), bytes.end());
    if (params_["predictor"] == "native") build_forest(pending_);
    else booster();  // XGBoost's predictor: read now, so that damaged weights fail here
  }

 private:
  // XGBoost's booster, created and configured on first use, with the
  // weights load_weights kept, if any.
  BoosterHandle booster() const {
    if (!booster_) {
      check(XGBoosterCreate(nullptr, 0, &booster_), "create");
      configure();
    }
    if (!pending_.empty()) {
      check(XGBoosterLoadModelFromBuffer(booster_, pending_.data(), pending_.size()), "load");
      configure();
      pending_.clear();
    }
    return booster_;
  }

  void configure() const {
    auto set = [&](const char* k, const std::string& v) { check(XGBoosterSetParam(booster_, k, v.c_str()), k); };
    set("objective", "multi:softprob");
    set("num_class", "5");
    set("eval_metric", "mlogloss");
    set("tree_method", "hist");
    set("nthread", std::to_string(threads_));
    set("seed", std::to_string(seed_));
    for (const char* k : {"eta", "max_depth", "min_child_weight", "subsample", "colsample_bytree", "lambda", "max_bin"})
      set(k, params_[k].dump());
  }

  // The columns used of a `dim`-wide row; empty means all of them.
  std::vector<std::size_t> columns(std::size_t dim) const {
    std::vector<std::size_t> cols;
    if (!params_["columns"].empty()) {
      for (const auto& c : params_["columns"]) cols.push_back(c.get<std::size_t>());  // checked: integers >= 0
      return cols;
    }
    if (params_["use_samples"].get<bool>()) return cols;
    const auto skip = params_["num_samples"].get<std::size_t>();
    if (skip >= dim) throw InvalidArgument("xgb-feat: rows have no columns after the samples");
    for (std::size_t c = skip; c < dim; ++c) cols.push_back(c);
    return cols;
  }

  // Rows must be exactly as wide as at training, or, with explicit columns,
  // hold every listed column.
  void check_width(std::size_t dim, std::size_t num_features) const {
    std::size_t need = num_features;
    bool exact = true;
    if (!params_["columns"].empty()) {
      const auto cols = columns(0);
      need = *std::max_element(cols.begin(), cols.end()) + 1;
      exact = false;
    } else if (!params_["use_samples"].get<bool>()) {
      need += params_["num_samples"].get<std::size_t>();
    }
    if (exact ? dim != need : dim < need)
      throw InvalidArgument("xgb-feat: rows have " + std::to_string(dim) + " columns; the model reads " +
                            (exact ? "" : "at least ") + std::to_string(need));
  }

  void build_forest(std::span<const std::uint8_t> bytes) {
    forest_.reset();
    if (params_["predictor"] != "native") return;
    const auto cols = params_["columns"].empty() ? std::vector<std::size_t>() : columns(0);
    const std::size_t offset = params_["columns"].empty() && !params_["use_samples"].get<bool>() ? params_["num_samples"].get<std::size_t>() : 0;
    forest_ = std::make_shared<const TreeForest>(TreeForest::from_ubjson(bytes, cols, offset));
  }

  std::vector<float> predict_dmatrix(DMatrixHandle d, std::size_t rows, int iteration_end) const {
    const std::string config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": " +
                               std::to_string(iteration_end) + ", \"strict_shape\": true}";
    const bst_ulong* shape = nullptr;
    bst_ulong ndim = 0;
    const float* out = nullptr;
    check(XGBoosterPredictFromDMatrix(booster(), d, config.c_str(), &shape, &ndim, &out), "predict");
    return {out, out + rows * 5};
  }

  nlohmann::json params_;
  std::uint64_t seed_;
  int threads_;
  mutable BoosterHandle booster_ = nullptr;
  mutable std::vector<std::uint8_t> pending_;  // weights given to load_weights, not yet read by XGBoost
  std::shared_ptr<const TreeForest> forest_;
};

}  // namespace

std::unique_ptr<Classifier> make_xgb_feat(const nlohmann::json& params, std::uint64_t seed, int threads) {
  return std::make_unique<XgbFeat>(params, seed, threads);
}

}  // namespace heartwave
