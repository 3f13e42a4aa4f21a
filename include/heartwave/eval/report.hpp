// A self-contained HTML evaluation report: headline figures, per-class table,
// confusion-matrix heat map, per-class Se/+P bars and training curves, drawn
// as inline SVG (no scripts, no external files).
#pragma once
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace heartwave {

// `metrics` as written to metrics.json (see metrics.hpp to_json); `model_meta`
// the model bundle's metadata (its "training_log" drawn when present).
std::string render_report(const nlohmann::json& metrics, const nlohmann::json& model_meta);

}  // namespace heartwave
