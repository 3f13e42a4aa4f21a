#include "tree_forest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "heartwave/core/error.hpp"
#include "parallel_rows.hpp"

namespace heartwave {
namespace {

constexpr std::uint32_t kDefaultLeft = 0x80000000u;

[[noreturn]] void bad(const std::string& what) { throw FormatError("xgboost model: " + what); }

// For messages: UBJSON strings need not be valid UTF-8.
std::string show(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) bad(where + " has no '" + key + "'");
  return j[key];
}

// XGBoost writes some numbers as strings ("5E-1").
double number(const nlohmann::json& j, const std::string& what) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size()) return v;
  }
  bad(what + " is not a number");
}

// A whole number in [lo, hi], from any JSON number (or XGBoost's number strings).
std::int64_t whole(double v, double lo, double hi, const std::string& what) {
  if (!(v >= lo && v <= hi) || v != std::floor(v)) bad(what + " is not a whole number in [" + std::to_string(static_cast<std::int64_t>(lo)) + ", " + std::to_string(static_cast<std::int64_t>(hi)) + "]");
  return static_cast<std::int64_t>(v);
}

// A float: values beyond float's range are rejected (converting them is undefined).
float to_float(double v, const std::string& what) {
  if (std::isfinite(v) && std::abs(v) > static_cast<double>(std::numeric_limits<float>::max())) bad(what + " is out of float range");
  return static_cast<float>(v);
}

// n numbers of tree[key]: whole numbers in [lo, hi] (Whole) or floats.
enum class Kind { whole, real };
std::vector<double> array_of(const nlohmann::json& tree, const char* key, std::size_t n, const std::string& where, Kind kind,
                             double lo = 0, double hi = 0) {
  const auto& a = field(tree, key, where);
  if (!a.is_array() || a.size() != n) bad(where + ": '" + key + "' does not hold " + std::to_string(n) + " values");
  std::vector<double> out;
  out.reserve(n);
  const std::string what = where + ": '" + key + "'";
  for (const auto& v : a) {
    if (!v.is_number() && !v.is_boolean()) bad(what + " holds a non-number");
    const double d = v.is_boolean() ? static_cast<double>(v.get<bool>())
                     : v.is_number_integer() ? static_cast<double>(v.get<std::int64_t>())
                                             : v.get<double>();
    out.push_back(kind == Kind::whole ? static_cast<double>(whole(d, lo, hi, what)) : static_cast<double>(to_float(d, what)));
  }
  return out;
}

// XGBoost's softmax: float exponentials, summed in double.
void softmax(float* p, std::size_t k) {
  const float m = *std::max_element(p, p + k);
  double sum = 0;
  for (std::size_t c = 0; c < k; ++c) {
    p[c] = std::exp(p[c] - m);
    sum += p[c];
  }
  for (std::size_t c = 0; c < k; ++c) p[c] /= static_cast<float>(sum);
}

// nlohmann's DOM builder behind a cap on the number of values and on the
// nesting (both found by fuzz_forest). In UBJSON an optimised container of
// T, F or Z values gives a count and no payload, so a few bytes can ask for
// billions of values (out of memory); every other value takes at least one
// byte, so a real model never holds more values than bytes. And the parser
// recurses once per nested container, so a few thousand '[' overflow the
// stack; XGBoost's models nest a handful of levels.
class BoundedDom final : public nlohmann::json_sax<nlohmann::json> {
 public:
  static constexpr int kMaxDepth = 64;
  BoundedDom(nlohmann::json& root, std::size_t max_values) : dom_(root), left_(max_values) {}
  bool exhausted() const { return exhausted_; }
  bool too_deep() const { return too_deep_; }

  bool null() override { return take() && dom_.null(); }
  bool boolean(bool v) override { return take() && dom_.boolean(v); }
  bool number_integer(number_integer_t v) override { return take() && dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) override { return take() && dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) override { return take() && dom_.number_float(v, s); }
  bool string(string_t& v) override { return take() && dom_.string(v); }
  bool binary(binary_t& v) override { return take() && dom_.binary(v); }
  bool start_object(std::size_t n) override { return take() && enter() && dom_.start_object(n); }
  bool key(string_t& v) override { return dom_.key(v); }
  bool end_object() override { return --depth_, dom_.end_object(); }
  bool start_array(std::size_t n) override { return take() && enter() && dom_.start_array(n); }
  bool end_array() override { return --depth_, dom_.end_array(); }
  bool parse_error(std::size_t at, const std::string& token, const nlohmann::detail::exception& e) override {
    return dom_.parse_error(at, token, e);
  }

 private:
  bool take() {
    if (left_ == 0) return !(exhausted_ = true);
    --left_;
    return true;
  }
  bool enter() {
    if (++depth_ > kMaxDepth) return !(too_deep_ = true);
    return true;
  }
  nlohmann::detail::json_sax_dom_parser<nlohmann::json> dom_;
  std::size_t left_;
  int depth_ = 0;
  bool exhausted_ = false, too_deep_ = false;
};

}  // namespace

TreeForest TreeForest::from_ubjson(std::span<const std::uint8_t> bytes, std::span<const std::size_t> columns,
                                   std::size_t offset) {
  try {
    return parse(bytes, columns, offset);
  } catch (const nlohmann::json::exception& e) {  // a value of an unexpected type anywhere
    bad(std::string("malformed: ") + e.what());
  }
}

TreeForest TreeForest::parse(std::span<const std::uint8_t> bytes, std::span<const std::size_t> columns, std::size_t offset) {
  nlohmann::json j;
  try {
    BoundedDom dom(j, bytes.size() + 16);
    const bool ok = nlohmann::json::sax_parse(bytes.begin(), bytes.end(), &dom, nlohmann::json::input_format_t::ubjson);
    if (dom.exhausted()) bad("not UBJSON: an optimised container declares more values than " + std::to_string(bytes.size()) + " bytes can hold");
    if (dom.too_deep()) bad("not an XGBoost model: containers nested more than " + std::to_string(BoundedDom::kMaxDepth) + " deep");
    if (!ok) bad("not UBJSON: the parse stopped early");
  } catch (const nlohmann::json::exception& e) {
    bad(std::string("not UBJSON: ") + e.what());
  }
  const auto& learner = field(j, "learner", "model");
  const auto& mp = field(learner, "learner_model_param", "learner");
  TreeForest f;
  f.num_class_ = static_cast<int>(whole(number(field(mp, "num_class", "learner_model_param"), "num_class"), 0, 1e6, "num_class"));
  f.base_score_ = to_float(number(field(mp, "base_score", "learner_model_param"), "base_score"), "base_score");
  f.num_features_ = static_cast<std::size_t>(whole(number(field(mp, "num_feature", "learner_model_param"), "num_feature"), 1, 1e9, "num_feature"));
  if (!columns.empty() && columns.size() != f.num_features_)
    bad(std::to_string(columns.size()) + " columns given for " + std::to_string(f.num_features_) + " features");
  if (f.num_class_ < 2 || f.num_class_ > 255) bad("num_class " + std::to_string(f.num_class_) + " is not a multi-class model");
  const auto& obj = field(field(learner, "objective", "learner"), "name", "objective");
  if (obj != "multi:softprob" && obj != "multi:softmax") bad("objective " + show(obj) + " is not multi:softprob");
  const auto& gb = field(learner, "gradient_booster", "learner");
  if (field(gb, "name", "gradient_booster") != "gbtree") bad("booster " + show(gb["name"]) + " is not gbtree");
  const auto& model = field(gb, "model", "gradient_booster");
  const auto& trees = field(model, "trees", "model");
  const auto& info = field(model, "tree_info", "model");
  if (!trees.is_array() || !info.is_array() || trees.size() != info.size()) bad("trees and tree_info differ in length");
  for (std::size_t t = 0; t < trees.size(); ++t) {
    const std::string where = "tree " + std::to_string(t);
    const auto& tree = trees[t];
    const auto n = static_cast<std::size_t>(
        whole(number(field(field(tree, "tree_param", where), "num_nodes", where), where + ": num_nodes"), 1, 1 << 30, where + ": num_nodes"));
    const double last = static_cast<double>(n) - 1;
    const auto left = array_of(tree, "left_children", n, where, Kind::whole, -1, last);
    const auto right = array_of(tree, "right_children", n, where, Kind::whole, -1, last);
    const auto feat = array_of(tree, "split_indices", n, where, Kind::whole, 0, 4294967295.0);
    const auto cond = array_of(tree, "split_conditions", n, where, Kind::real);
    const auto dleft = array_of(tree, "default_left", n, where, Kind::whole, 0, 1);
    if (tree.contains("split_type"))
      for (const auto& s : tree["split_type"])
        if (s != 0) bad(where + ": categorical splits are not supported");
    if (!info[t].is_number()) bad(where + ": its tree_info entry is not a number");
    const auto g = whole(info[t].get<double>(), 0, f.num_class_ - 1, where + ": class (tree_info)");
    const auto base = static_cast<std::int64_t>(f.nodes_.size());
    if (base + static_cast<std::int64_t>(n) > std::numeric_limits<std::int32_t>::max()) bad("more than 2^31 nodes");
    f.roots_.push_back(static_cast<std::uint32_t>(base));
    f.group_.push_back(static_cast<std::uint8_t>(g));
    std::vector<std::uint16_t> depth(n, 0);
    std::vector<std::uint8_t> parents(n, 0);
    std::uint16_t max_depth = 0;
    for (std::size_t i = 0; i < n; ++i) {
      // A leaf points to itself, so that walking a tree is a fixed number of
      // steps (its depth) without a test for leaves.
      const auto self = static_cast<std::int32_t>(base + static_cast<std::int64_t>(i));
      Node node{static_cast<float>(cond[i]), 0, self, self};
      if (left[i] != -1) {
        // Children come after their parent in XGBoost's layout; requiring it
        // also rules out cycles.
        if (left[i] <= static_cast<std::int64_t>(i) || right[i] <= static_cast<std::int64_t>(i) ||
            left[i] >= static_cast<std::int64_t>(n) || right[i] >= static_cast<std::int64_t>(n))
          bad(where + ": node " + std::to_string(i) + " has children out of range");
        std::size_t col = static_cast<std::size_t>(feat[i]);
        if (col >= f.num_features_) bad(where + ": feature " + std::to_string(col) + " beyond num_feature");
        col = columns.empty() ? offset + col : columns[col];
        if (col >= kDefaultLeft) bad(where + ": feature index too large");
        node.feature = static_cast<std::uint32_t>(col) | (dleft[i] ? kDefaultLeft : 0u);
        node.left = static_cast<std::int32_t>(base + left[i]);
        node.right = static_cast<std::int32_t>(base + right[i]);
        f.min_width_ = std::max(f.min_width_, col + 1);
        if (depth[i] >= 4096) bad(where + ": deeper than 4096 levels");
        const auto l = static_cast<std::size_t>(left[i]), r = static_cast<std::size_t>(right[i]);
        if (l == r || parents[l]++ || parents[r]++) bad(where + ": node " + std::to_string(i) + "'s children have other parents");
        depth[static_cast<std::size_t>(left[i])] = depth[static_cast<std::size_t>(right[i])] = static_cast<std::uint16_t>(depth[i] + 1);
        max_depth = std::max<std::uint16_t>(max_depth, static_cast<std::uint16_t>(depth[i] + 1));
      } else if (right[i] != -1) {
        bad(where + ": node " + std::to_string(i) + " has one child");
      }
      f.nodes_.push_back(node);
    }
    for (std::size_t i = 1; i < n; ++i)
      if (!parents[i]) bad(where + ": node " + std::to_string(i) + " is not reachable");
    f.depth_.push_back(max_depth);
  }
  return f;
}

inline std::uint32_t TreeForest::step(const Node& n, const float* row) {
  const float v = row[n.feature & ~kDefaultLeft];
  const bool go_left = std::isnan(v) ? (n.feature & kDefaultLeft) != 0 : v < n.value;
  return static_cast<std::uint32_t>(go_left ? n.left : n.right);
}

void TreeForest::margins(const float* row, float* out) const {
  std::fill_n(out, num_class_, base_score_);
  const Node* nodes = nodes_.data();
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    std::uint32_t i = roots_[t];
    for (unsigned d = depth_[t]; d > 0; --d) i = step(nodes[i], row);
    out[group_[t]] += nodes[i].value;
  }
}

std::vector<float> TreeForest::predict_proba(std::span<const float> X, std::size_t rows, std::size_t row_stride,
                                             int threads) const {
  if (rows == 0) return {};
  if (row_stride < min_width_ || X.size() < (rows - 1) * row_stride + min_width_)
    throw InvalidArgument("xgboost model reads " + std::to_string(min_width_) + " columns; rows have " + std::to_string(row_stride));
  const auto k = static_cast<std::size_t>(num_class_);
  std::vector<float> out(rows * k);
  parallel_rows(rows, threads, 256, [&](std::size_t begin, std::size_t end) {
    // Blocks of rows go through one tree at a time, so that the tree stays
    // in cache (a forest of hundreds of trees does not fit in L2); each row
    // still sums its trees in order, as XGBoost does.
    constexpr std::size_t kBlock = 16;
    const Node* nodes = nodes_.data();
    for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
      const std::size_t nb = std::min(kBlock, end - b0);
      float* acc = out.data() + b0 * k;
      std::fill_n(acc, nb * k, base_score_);
      for (std::size_t t = 0; t < roots_.size(); ++t) {
        const std::uint32_t root = roots_[t];
        const unsigned depth = depth_[t];
        const std::size_t g = group_[t];
        // Eight rows walk the tree side by side: independent loads overlap.
        std::size_t r = 0;
        for (; r + 8 <= nb; r += 8) {
          const float* row = X.data() + (b0 + r) * row_stride;
          std::uint32_t i[8];
          for (int j = 0; j < 8; ++j) i[j] = root;
          for (unsigned d = 0; d < depth; ++d)
            for (std::size_t j = 0; j < 8; ++j) i[j] = step(nodes[i[j]], row + j * row_stride);
          for (std::size_t j = 0; j < 8; ++j) acc[(r + j) * k + g] += nodes[i[j]].value;
        }
        for (; r < nb; ++r) {
          const float* row = X.data() + (b0 + r) * row_stride;
          std::uint32_t i = root;
          for (unsigned d = depth; d > 0; --d) i = step(nodes[i], row);
          acc[r * k + g] += nodes[i].value;
        }
      }
      for (std::size_t r = 0; r < nb; ++r) softmax(acc + r * k, k);
    }
  });
  return out;
}

}  // namespace heartwave
