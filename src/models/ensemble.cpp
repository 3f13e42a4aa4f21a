// The "ensemble" family: members of other families, fitted on the same rows
// (each with its own early stopping), whose class probabilities are averaged
// with fixed weights. Parameters:
//   {"members": [{"family": "xgb-feat", "params": {...}}, {"family": "cnn-mlp"}],
//    "weights": [0.5, 0.5]}      (default: equal; normalised to sum to 1)
// or per class, one list of 5 (N, S, V, F, Q) per member, e.g.
//    "weights": [[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]]
// (the second member has a say in N and S only): each class's probability is
// the weighted mean of the members' for it, and each row is then scaled to
// sum to 1.
// A member may name its own "seed" (default: the ensemble's), so that members
// of one family with row or column subsampling differ (bagging).
// Members read the same dataset view. Their weights are stored one after the
// other, each preceded by its length (u64, little-endian).
#include "ensemble.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>

#include "heartwave/core/error.hpp"
#include "heartwave/core/json_checks.hpp"

namespace heartwave {
namespace {

class Ensemble final : public Classifier {
 public:
  Ensemble(const nlohmann::json& params, std::uint64_t seed, int threads) {
    for (const auto& [k, v] : params.items())
      if (k != "members" && k != "weights") throw InvalidArgument("ensemble: unknown parameter '" + k + "'");
    if (!params.contains("members") || !params["members"].is_array() || params["members"].size() < 2)
      throw InvalidArgument("ensemble: 'members' must list at least two {\"family\", \"params\"} objects");
    const auto& ms = params["members"];
    for (std::size_t i = 0; i < ms.size(); ++i) {
      const std::string where = "ensemble: members[" + std::to_string(i) + "]";
      if (!ms[i].is_object() || !ms[i].contains("family") || !ms[i]["family"].is_string())
        throw InvalidArgument(where + " needs a \"family\" name");
      for (const auto& [k, v] : ms[i].items())
        if (k != "family" && k != "params" && k != "seed") throw InvalidArgument(where + ": unknown key '" + k + "'");
      std::optional<std::uint64_t> own_seed;
      if (ms[i].contains("seed")) {
        own_seed = json_seed(ms[i]["seed"]);
        if (!own_seed) throw InvalidArgument(where + ".seed must be an integer from 0 to 2^64 - 1");
      }
      seeds_.push_back(own_seed);
      const std::string family = ms[i]["family"].get<std::string>();
      if (family == "ensemble") throw InvalidArgument(where + ": an ensemble cannot hold an ensemble");
      const nlohmann::json p = ms[i].value("params", nlohmann::json::object());
      if (!p.is_object()) throw InvalidArgument(where + ".params must be an object");
      members_.push_back(create_classifier(family, p, own_seed.value_or(seed), threads));
      if (members_.back()->view() != members_.front()->view())
        throw InvalidArgument(where + " (" + family + ") reads another dataset view than members[0]");
    }
    // One weight per member and class; a single number per member stands
    // for the same weight in every class.
    weights_.assign(members_.size(), {1, 1, 1, 1, 1});
    if (params.contains("weights")) {
      const auto& w = params["weights"];
      if (!w.is_array() || w.size() != members_.size())
        throw InvalidArgument("ensemble: 'weights' must hold one number (or one list of 5, per class) per member");
      per_class_ = !w.empty() && w[0].is_array();
      const auto number = [](const nlohmann::json& v, const std::string& where) {
        if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
          throw InvalidArgument("ensemble: " + where + " must be a number >= 0");
        return v.get<double>();
      };
      for (std::size_t i = 0; i < w.size(); ++i) {
        const std::string where = "weights[" + std::to_string(i) + "]";
        if (!per_class_) {
          weights_[i].fill(number(w[i], where));
          continue;
        }
        if (!w[i].is_array() || w[i].size() != 5)
          throw InvalidArgument("ensemble: " + where + " must be a list of 5 numbers (N, S, V, F, Q), as the other members'");
        for (std::size_t c = 0; c < 5; ++c) weights_[i][c] = number(w[i][c], where + "[" + std::to_string(c) + "]");
      }
    }
    // Each class's weights are scaled to sum to 1 over the members.
    for (std::size_t c = 0; c < 5; ++c) {
      double sum = 0;
      for (const auto& w : weights_) sum += w[c];
      if (!(sum > 0))
        throw InvalidArgument(per_class_ ? "ensemble: the weights of class " + std::to_string(c) + " sum to 0" : "ensemble: the weights sum to 0");
      for (auto& w : weights_) w[c] /= sum;
    }
  }

  std::string family() const override { return "ensemble"; }
  View view() const override { return members_.front()->view(); }
  nlohmann::json params() const override {
    nlohmann::json ms = nlohmann::json::array();
    for (std::size_t i = 0; i < members_.size(); ++i) {
      ms.push_back({{"family", members_[i]->family()}, {"params", members_[i]->params()}});
      if (seeds_[i]) ms.back()["seed"] = *seeds_[i];
    }
    if (per_class_) return {{"members", ms}, {"weights", weights_}};
    nlohmann::json w = nlohmann::json::array();
    for (const auto& m : weights_) w.push_back(m[0]);
    return {{"members", ms}, {"weights", w}};
  }

  // Members are fitted one after the other; the log holds every member's
  // entries, their stage prefixed with the member's index. The best
  // iteration reported is the first member's.
  TrainResult fit(const Rows& fit, const Rows& early, const TrainProgress& progress) override {
    TrainResult res;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const std::string prefix = "member " + std::to_string(i + 1) + " " + members_[i]->family() + " ";
      const TrainResult r = members_[i]->fit(fit, early, [&](int it, int total, const TrainLogEntry& e) {
        if (!progress) return;
        TrainLogEntry p = e;
        p.stage = prefix + e.stage;
        progress(it, total, p);
      });
      for (auto e : r.log) {
        e.stage = prefix + e.stage;
        res.log.push_back(std::move(e));
      }
      if (i == 0) res.best_iteration = r.best_iteration;
      res.seconds += r.seconds;
    }
    return res;
  }

  std::vector<float> predict_proba(std::span<const float> X, std::size_t rows) const override {
    std::vector<float> out(rows * 5, 0.0f);
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const auto p = members_[i]->predict_proba(X, rows);
      if (p.size() != out.size()) throw InvalidArgument("ensemble: a member returned the wrong number of probabilities");
      std::array<float, 5> w{};
      for (std::size_t c = 0; c < 5; ++c) w[c] = static_cast<float>(weights_[i][c]);
      for (std::size_t k = 0; k < out.size(); ++k) out[k] += w[k % 5] * p[k];
    }
    if (per_class_) {  // with equal weights per class the rows already sum to 1
      for (std::size_t r = 0; r < rows; ++r) {
        float sum = 0.0f;
        for (std::size_t c = 0; c < 5; ++c) sum += out[r * 5 + c];
        if (sum > 0.0f)
          for (std::size_t c = 0; c < 5; ++c) out[r * 5 + c] /= sum;
      }
    }
    return out;
  }

  std::vector<std::size_t> input_columns(std::size_t dim) const override {
    std::vector<std::size_t> all;
    for (const auto& m : members_) {
      const auto c = m->input_columns(dim);
      all.insert(all.end(), c.begin(), c.end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }

  std::vector<std::uint8_t> save_weights() const override {
    std::vector<std::uint8_t> out;
    for (const auto& m : members_) {
      const auto b = m->save_weights();
      for (int k = 0; k < 8; ++k) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(b.size()) >> (8 * k)));
      out.insert(out.end(), b.begin(), b.end());
    }
    return out;
  }

  void load_weights(std::span<const std::uint8_t> bytes) override {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      const std::string where = "ensemble weights, member " + std::to_string(i + 1);
      if (bytes.size() - pos < 8) throw FormatError(where + ": truncated length");
      std::uint64_t n = 0;
      for (int k = 0; k < 8; ++k) n |= static_cast<std::uint64_t>(bytes[pos + static_cast<std::size_t>(k)]) << (8 * k);
      pos += 8;
      if (n > bytes.size() - pos) throw FormatError(where + ": length " + std::to_string(n) + " runs past the end");
      members_[i]->load_weights(bytes.subspan(pos, static_cast<std::size_t>(n)));
      pos += static_cast<std::size_t>(n);
    }
    if (pos != bytes.size()) throw FormatError("ensemble weights: " + std::to_string(bytes.size() - pos) + " bytes left over");
  }

 private:
  std::vector<std::unique_ptr<Classifier>> members_;
  std::vector<std::optional<std::uint64_t>> seeds_;  // a member's own seed, when it names one
  std::vector<std::array<double, 5>> weights_;      // per member and class; each class's sum over members is 1
  bool per_class_ = false;                          // "weights" were given per class (else one number per member)
};

}  // namespace

std::unique_ptr<Classifier> make_ensemble(const nlohmann::json& params, std::uint64_t seed, int threads) {
  return std::make_unique<Ensemble>(params, seed, threads);
}

}  // namespace heartwave
