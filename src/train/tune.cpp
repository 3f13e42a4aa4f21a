#include "heartwave/train/tune.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "heartwave/train/cross_validate.hpp"
#include "heartwave/data/reader.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/eval/metrics.hpp"
#include "heartwave/models/model.hpp"

namespace heartwave {
namespace {

using Clock = std::chrono::steady_clock;

// "xgb.eta" -> params["xgb"]["eta"]
void set_path(nlohmann::json& p, const std::string& name, const nlohmann::json& v) {
  nlohmann::json* at = &p;
  std::size_t start = 0;
  for (std::size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) {
    at = &(*at)[name.substr(start, dot - start)];
    if (!at->is_null() && !at->is_object())
      throw ParseError("search space: '" + name + "' names a field inside '" + name.substr(0, dot) + "', which is not an object");
  }
  (*at)[name.substr(start)] = v;
}

std::pair<double, double> range_of(const nlohmann::json& r, const std::string& name, const char* kind) {
  if (!r.is_array() || r.size() != 2 || !r[0].is_number() || !r[1].is_number())
    throw ParseError("search space: '" + name + "': " + kind + " needs [lo, hi]");
  const double lo = r[0].get<double>(), hi = r[1].get<double>();
  if (!(lo <= hi)) throw ParseError("search space: '" + name + "': lo > hi");
  return {lo, hi};
}

std::string budget_key(const std::string& family) { return family == "cnn-mlp" || family == "convxgb" ? "epochs" : "num_round"; }
int default_budget(const std::string& family) { return family == "xgb-feat" ? 500 : 30; }

}  // namespace

SearchSpace::SearchSpace(const nlohmann::json& spec) : spec_(spec) {
  if (!spec.is_object() || spec.empty()) throw ParseError("search space: expected a non-empty JSON object of parameters");
  for (const auto& [name, s] : spec.items()) {
    if (!s.is_object() || s.size() != 1) continue;  // a fixed value
    const std::string kind = s.begin().key();
    const nlohmann::json& r = s.begin().value();
    if (kind == "uniform") {
      range_of(r, name, "uniform");
    } else if (kind == "int") {
      const auto [lo, hi] = range_of(r, name, "int");
      if (!(std::fabs(lo) <= 1e9 && std::fabs(hi) <= 1e9) || std::ceil(lo) > std::floor(hi))
        throw ParseError("search space: '" + name + "': int needs [lo, hi] holding an integer, within +-1e9");
    } else if (kind == "log_uniform") {
      if (range_of(r, name, "log_uniform").first <= 0) throw ParseError("search space: '" + name + "': log_uniform needs lo > 0");
    } else if (kind == "choice") {
      if (!r.is_array() || r.empty()) throw ParseError("search space: '" + name + "': choice needs a non-empty list");
    }
  }
  std::mt19937_64 probe(0);
  sample(probe);  // dotted names must lead through objects
}

nlohmann::json SearchSpace::sample(std::mt19937_64& rng) const {
  nlohmann::json p = nlohmann::json::object();
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (const auto& [name, s] : spec_.items()) {
    nlohmann::json v = s;
    if (s.is_object() && s.size() == 1) {
      const std::string kind = s.begin().key();
      const nlohmann::json& r = s.begin().value();
      if (kind == "uniform") {
        v = r[0].get<double>() + u(rng) * (r[1].get<double>() - r[0].get<double>());
      } else if (kind == "log_uniform") {
        const double a = std::log(r[0].get<double>()), b = std::log(r[1].get<double>());
        v = std::exp(a + u(rng) * (b - a));
      } else if (kind == "int") {
        const auto lo = static_cast<long long>(std::ceil(r[0].get<double>())), hi = static_cast<long long>(std::floor(r[1].get<double>()));
        v = lo + static_cast<long long>(u(rng) * static_cast<double>(hi - lo + 1) * 0.999999999);
      } else if (kind == "choice") {
        v = r[static_cast<std::size_t>(u(rng) * static_cast<double>(r.size()) * 0.999999999)];
      }
    }
    set_path(p, name, v);
  }
  return p;
}

double tune_objective(const std::string& family, const nlohmann::json& params, const std::filesystem::path& data,
                      std::uint64_t seed, int threads, std::string* description) {
  const std::string protocol = read_manifest(data)["protocol"].get<std::string>();
  if (protocol != "inter-patient") {
    const View view = create_classifier(family, params, seed, threads)->view();
    const TrainingSplits s = load_training_splits(data, view);
    auto m = create_classifier(family, params, seed, threads);
    m->fit(s.fit, s.early, nullptr);
    if (description) *description = "macro-F1 on the validation split (" + s.description + ")";
    return compute_metrics(s.early.y, argmax_rows(m->predict_proba(s.early.X, s.early.n))).f1_macro;
  }
  const CrossValidation cv = cross_validate(family, params, data, seed, threads);
  if (description) *description = "macro-F1 of " + cv.description;
  return compute_metrics(cv.truth, cv.predicted).f1_macro;
}

TuneResult tune(const SearchSpace& space, const TuneOptions& o) {
  if (o.trials < 1) throw InvalidArgument("tune: --trials must be >= 1");
  if (o.eta < 2) throw InvalidArgument("tune: eta must be >= 2");
  const std::string bkey = budget_key(o.family);
  if (space.spec().contains(bkey)) throw InvalidArgument("tune: the search sets '" + bkey + "' (the budget); remove it from the space");
  {
    std::mt19937_64 probe(o.seed);
    create_classifier(o.family, space.sample(probe), o.seed, o.threads);  // checks the names against the family
  }
  const int max_budget = o.max_budget > 0 ? o.max_budget : default_budget(o.family);
  // Rungs: as many as make each one eta times smaller, down to 1/eta^k of the trials.
  int rungs = 1;
  for (int n = o.trials; n >= o.eta; n /= o.eta) ++rungs;
  int min_budget = o.min_budget > 0 ? o.min_budget : max_budget;
  if (o.min_budget <= 0)
    for (int r = 1; r < rungs; ++r) min_budget = std::max(1, min_budget / o.eta);
  const auto t0 = Clock::now();
  auto out_of_time = [&] {
    return o.minutes > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > o.minutes * 60.0;
  };
  TuneResult res;
  std::mt19937_64 rng(o.seed);
  std::vector<Trial> alive;
  for (int i = 0; i < o.trials; ++i) alive.push_back({i + 1, space.sample(rng), 0, 0, -1, 0});
  int budget = min_budget;
  for (int rung = 0; rung < rungs && !alive.empty(); ++rung) {
    if (rung == rungs - 1) budget = max_budget;
    std::vector<Trial> done;
    for (Trial t : alive) {
      if (out_of_time()) {
        res.stopped_by_time = true;
        break;
      }
      t.rung = rung;
      t.budget = budget;
      nlohmann::json p = t.params;
      p[bkey] = budget;
      const auto s0 = Clock::now();
      t.objective = tune_objective(o.family, p, o.data, o.seed, o.threads, &res.objective);
      t.seconds = std::chrono::duration<double>(Clock::now() - s0).count();
      res.trials.push_back(t);
      done.push_back(t);
      if (o.on_trial) o.on_trial(t);
    }
    if (!done.empty()) {
      const auto top = *std::max_element(done.begin(), done.end(), [](const Trial& a, const Trial& b) { return a.objective < b.objective; });
      if (res.best.objective < 0 || top.rung >= res.best.rung) res.best = top;
    }
    if (res.stopped_by_time) break;
    std::stable_sort(done.begin(), done.end(), [](const Trial& a, const Trial& b) { return a.objective > b.objective; });
    done.resize(std::max<std::size_t>(1, done.size() / static_cast<std::size_t>(o.eta)));
    alive = done;
    budget = std::min(max_budget, budget * o.eta);
  }
  if (res.best.objective < 0) throw InvalidArgument("tune: the time limit ran out before the first trial finished");
  res.best_params = res.best.params;
  res.best_params[bkey] = res.best.budget;
  return res;
}

}  // namespace heartwave
