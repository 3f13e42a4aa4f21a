#include "heartwave/error.hpp"
#include "heartwave/model.hpp"
#include "xgb_feat.hpp"

namespace heartwave {

std::vector<std::string> classifier_families() { return {"xgb-feat", "convxgb", "cnn-mlp"}; }

std::unique_ptr<Classifier> create_classifier(const std::string& family, const nlohmann::json& params,
                                              std::uint64_t seed, int threads) {
  if (family == "xgb-feat") return make_xgb_feat(params, seed, threads);
  if (family == "convxgb" || family == "cnn-mlp")
    throw UnsupportedError("model family '" + family + "' is not built yet (LibTorch families are the next step)");
  throw InvalidArgument("unknown model family '" + family + "' (xgb-feat, convxgb, cnn-mlp)");
}

}  // namespace heartwave
