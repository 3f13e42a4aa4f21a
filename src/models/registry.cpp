#include "heartwave/core/error.hpp"
#include "heartwave/models/model.hpp"
#include "ensemble.hpp"
#include "torch_families.hpp"
#include "xgb_feat.hpp"

namespace heartwave {

std::vector<std::string> classifier_families() { return {"xgb-feat", "convxgb", "cnn-mlp", "ensemble"}; }

std::unique_ptr<Classifier> create_classifier(const std::string& family, const nlohmann::json& params,
                                              std::uint64_t seed, int threads) {
  if (family == "xgb-feat") return make_xgb_feat(params, seed, threads);
  if (family == "cnn-mlp" || family == "convxgb") return create_torch_classifier(family, params, seed, threads);
  if (family == "ensemble") return make_ensemble(params, seed, threads);
  throw InvalidArgument("unknown model family '" + family + "' (xgb-feat, convxgb, cnn-mlp, ensemble)");
}

}  // namespace heartwave
