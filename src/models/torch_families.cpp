// cnn-mlp and convxgb: small 1-D CNNs trained with LibTorch.
//
// Both read the `feat` view: the 187 filtered, standardised samples, then the
// engineered features. The convolutional trunk is a stack of blocks
// (conv k, batch norm, ReLU, max-pool 2) ending in global average pooling.
//  - cnn-mlp joins the pooled trunk output with an MLP on the engineered
//    features and classifies with a dropout-regularised head.
//  - convxgb trains the trunk with a linear head, then trains XGBoost (the
//    xgb-feat family) on the pooled values plus the engineered features.
// Training is deterministic for a seed and thread count: torch's generator is
// seeded, batches are shuffled with our own seeded generator, and the BLAS
// runs on one thread whatever the machine's core count.
#include "torch_families.hpp"

#include <dlfcn.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <random>

#include "heartwave/core/error.hpp"
#include "cnn_forward.hpp"
#include "params.hpp"
#include "heartwave/eval/metrics.hpp"
#include "xgb_feat.hpp"

namespace heartwave {
namespace {

namespace nn = torch::nn;

struct NetSpec {
  std::vector<int> channels;
  int kernel = 5;
  int num_samples = 187;
  int num_features = 0;  // engineered features fed to the MLP branch (0: none)
  int mlp_hidden = 64;
  int head_hidden = 64;  // 0: a single linear layer after the trunk
  double dropout = 0.3;
};

// LibTorch parallelises its own kernels (OpenMP, torch::set_num_threads); the
// BLAS it calls for the dense layers must then run on one thread. OpenBLAS
// (Debian's libopenblas0-pthread, which LibTorch reaches through libblas.so.3)
// otherwise starts a thread per core that spins between calls: a second
// core's worth of CPU lost per training, epochs 25% slower with two LibTorch
// threads, and a result that depends on the machine's core count (its
// threads split the sums differently). Looked up at run time, so any other
// BLAS is left as it is.
void single_threaded_blas() {
  if (void* f = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) reinterpret_cast<void (*)(int)>(f)(1);
}

class NetImpl : public nn::Module {
 public:
  explicit NetImpl(const NetSpec& s) : spec_(s) {
    nn::Sequential trunk;
    int in = 1;
    for (int ch : s.channels) {
      trunk->push_back(nn::Conv1d(nn::Conv1dOptions(in, ch, s.kernel).padding(s.kernel / 2).bias(false)));
      trunk->push_back(nn::BatchNorm1d(ch));
      trunk->push_back(nn::ReLU());
      trunk->push_back(nn::MaxPool1d(nn::MaxPool1dOptions(2)));
      in = ch;
    }
    trunk->push_back(nn::AdaptiveAvgPool1d(nn::AdaptiveAvgPool1dOptions(1)));
    trunk->push_back(nn::Flatten());
    trunk_ = register_module("trunk", trunk);
    int joined = in;
    if (s.num_features > 0) {
      mlp_ = register_module("mlp", nn::Sequential(nn::Linear(s.num_features, s.mlp_hidden), nn::ReLU()));
      joined += s.mlp_hidden;
    }
    nn::Sequential head;
    head->push_back(nn::Dropout(s.dropout));
    if (s.head_hidden > 0) {
      head->push_back(nn::Linear(joined, s.head_hidden));
      head->push_back(nn::ReLU());
      head->push_back(nn::Dropout(s.dropout));
      joined = s.head_hidden;
    }
    head->push_back(nn::Linear(joined, 5));
    head_ = register_module("head", head);
  }

  // x: [B, dim] with the samples first. Returns the pooled trunk output [B, C].
  torch::Tensor embed(const torch::Tensor& x) {
    return trunk_->forward(x.narrow(1, 0, spec_.num_samples).unsqueeze(1));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    auto z = embed(x);
    if (spec_.num_features > 0)
      z = torch::cat({z, mlp_->forward(x.narrow(1, spec_.num_samples, spec_.num_features))}, 1);
    return head_->forward(z);
  }

  int width() const { return spec_.num_samples + spec_.num_features; }
  const NetSpec& spec() const { return spec_; }
  int embed_width() const { return spec_.channels.back(); }

 private:
  NetSpec spec_;
  nn::Sequential trunk_{nullptr}, mlp_{nullptr}, head_{nullptr};
};
TORCH_MODULE(Net);

// ---- parameters ------------------------------------------------------------

nlohmann::json merged(const nlohmann::json& defaults, const nlohmann::json& given, const std::string& family) {
  nlohmann::json p = defaults;
  for (const auto& [k, v] : given.items()) {
    if (!p.contains(k)) throw InvalidArgument(family + ": unknown parameter '" + k + "'");
    if (k == "xgb") {
      if (!v.is_object()) throw InvalidArgument(family + ": parameter 'xgb' must be an object");
      for (const auto& [xk, xv] : v.items()) p["xgb"][xk] = xv;
    } else {
      p[k] = v;
    }
  }
  return p;
}

NetSpec spec_from(const nlohmann::json& p, const std::string& family, bool mlp_branch) {
  constexpr std::int64_t wide = 1'000'000;
  NetSpec s;
  const auto channels = params::integer_list(p, "channels", family, 1, 1024);
  if (channels.empty() || channels.size() > 6) throw InvalidArgument(family + ": 'channels' needs 1 to 6 entries");
  s.channels.assign(channels.begin(), channels.end());
  s.kernel = static_cast<int>(params::integer(p, "kernel", family, 1, 63));
  s.num_samples = static_cast<int>(params::integer(p, "num_samples", family, 1, wide));
  const int num_features = static_cast<int>(params::integer(p, "num_features", family, 0, wide));
  s.num_features = mlp_branch && params::boolean(p, "use_features", family) ? num_features : 0;
  s.mlp_hidden = mlp_branch ? static_cast<int>(params::integer(p, "mlp_hidden", family, 0, 65'536)) : 0;
  s.head_hidden = mlp_branch ? static_cast<int>(params::integer(p, "head_hidden", family, 0, 65'536)) : 0;
  if (!mlp_branch) params::boolean(p, "xgb_with_features", family);
  s.dropout = params::number(p, "dropout", family, 0, 1);
  if (s.kernel % 2 == 0) throw InvalidArgument(family + ": 'kernel' must be odd, 1..63");
  if (s.num_samples < (1 << s.channels.size())) throw InvalidArgument(family + ": 'num_samples' too small for the pooling");
  if (!(s.dropout < 1)) throw InvalidArgument(family + ": 'dropout' must be in [0, 1)");
  return s;
}

struct TrainSettings {
  int epochs, patience, batch_size;
  double lr, weight_decay;
  bool balanced;
  double max_class_weight;  // cap on a balanced weight (0: none)
  int plateau;           // epochs without improvement before the rate is cut (0: never)
  double plateau_factor; // the cut
};

TrainSettings settings_from(const nlohmann::json& p, const std::string& family) {
  constexpr std::int64_t many = 1'000'000;
  const auto count = [&](const char* key, std::int64_t lo) { return static_cast<int>(params::integer(p, key, family, lo, many)); };
  TrainSettings t{count("epochs", 1),
                  count("patience", 1),
                  count("batch_size", 1),
                  params::number(p, "lr", family, 0, 10, true),
                  params::number(p, "weight_decay", family, 0, 10),
                  params::boolean(p, "balanced_weights", family),
                  params::number(p, "max_class_weight", family, 0, 1e9),
                  count("plateau", 0),
                  params::number(p, "plateau_factor", family, 0, 1, true)};
  return t;
}

// ---- weights: our own flat format (name, dtype, shape, data) ---------------

void put_u64(std::vector<std::uint8_t>& o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

struct Reader {
  std::span<const std::uint8_t> b;
  std::size_t pos = 0;
  const char* who;
  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(b[pos + static_cast<std::size_t>(i)]) << (8 * i);
    pos += 8;
    return v;
  }
  void need(std::uint64_t n) {
    if (n > b.size() - pos)
      throw FormatError(std::string(who) + ": weights truncated at byte " + std::to_string(pos) + " (need " + std::to_string(n) + " more)");
  }
};

std::vector<std::pair<std::string, torch::Tensor>> state_of(Net& net) {
  std::vector<std::pair<std::string, torch::Tensor>> s;
  for (const auto& p : net->named_parameters()) s.emplace_back(p.key(), p.value());
  for (const auto& p : net->named_buffers()) s.emplace_back(p.key(), p.value());
  return s;
}

// The eval-mode network as plain arrays, batch norm folded into the convolutions.
CnnForward to_forward(Net& net) {
  std::map<std::string, torch::Tensor> st;
  for (auto& [k, v] : state_of(net)) st[k] = v.detach().to(torch::kDouble).contiguous();
  auto values = [&](const std::string& k) {
    const torch::Tensor& t = st.at(k);
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
  };
  auto as_float = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
  const NetSpec& s = net->spec();
  CnnForward f;
  f.num_samples = s.num_samples;
  f.num_features = s.num_features;
  int in = 1;
  for (std::size_t i = 0; i < s.channels.size(); ++i) {
    const std::string conv = "trunk." + std::to_string(4 * i), bn = "trunk." + std::to_string(4 * i + 1);
    const auto w = values(conv + ".weight"), g = values(bn + ".weight"), beta = values(bn + ".bias");
    const auto mean = values(bn + ".running_mean"), var = values(bn + ".running_var");
    ConvLayer c;
    c.in = in;
    c.out = s.channels[i];
    c.kernel = s.kernel;
    const std::size_t per = static_cast<std::size_t>(c.in * c.kernel);
    for (int o = 0; o < c.out; ++o) {
      const auto oo = static_cast<std::size_t>(o);
      const double scale = g[oo] / std::sqrt(var[oo] + 1e-5);  // BatchNorm1d's default eps
      for (std::size_t j = 0; j < per; ++j) c.w.push_back(static_cast<float>(w[oo * per + j] * scale));
      c.b.push_back(static_cast<float>(beta[oo] - mean[oo] * scale));
    }
    f.convs.push_back(std::move(c));
    in = s.channels[i];
  }
  auto dense = [&](const std::string& name, bool relu) {
    DenseLayer d;
    const torch::Tensor& w = st.at(name + ".weight");
    d.out = static_cast<int>(w.size(0));
    d.in = static_cast<int>(w.size(1));
    d.w = as_float(values(name + ".weight"));
    d.b = as_float(values(name + ".bias"));
    d.relu = relu;
    return d;
  };
  if (s.num_features > 0) f.mlp.push_back(dense("mlp.0", true));
  if (s.head_hidden > 0) {
    f.head.push_back(dense("head.1", true));
    f.head.push_back(dense("head.4", false));
  } else {
    f.head.push_back(dense("head.1", false));
  }
  f.prepare();
  return f;
}

std::vector<std::uint8_t> save_net(Net& net) {
  std::vector<std::uint8_t> o;
  const auto state = state_of(net);
  put_u64(o, state.size());
  for (const auto& [name, t] : state) {
    put_u64(o, name.size());
    o.insert(o.end(), name.begin(), name.end());
    const torch::Tensor c = t.detach().contiguous();
    const bool is_long = c.scalar_type() == torch::kLong;
    o.push_back(is_long ? 1 : 0);
    put_u64(o, static_cast<std::uint64_t>(c.dim()));
    for (auto d : c.sizes()) put_u64(o, static_cast<std::uint64_t>(d));
    const std::size_t bytes = static_cast<std::size_t>(c.numel()) * c.element_size();
    const auto* p = static_cast<const std::uint8_t*>(c.data_ptr());
    o.insert(o.end(), p, p + bytes);
  }
  return o;
}

void load_net(Net& net, std::span<const std::uint8_t> bytes, const char* who) {
  Reader r{bytes, 0, who};
  auto state = state_of(net);
  const std::uint64_t n = r.u64();
  if (n != state.size())
    throw FormatError(std::string(who) + ": weights hold " + std::to_string(n) + " tensors, the network has " + std::to_string(state.size()));
  torch::NoGradGuard ng;
  for (auto& [name, t] : state) {
    const std::uint64_t len = r.u64();
    r.need(len);
    const std::string got(reinterpret_cast<const char*>(bytes.data() + r.pos), len);
    r.pos += len;
    if (got != name) throw FormatError(std::string(who) + ": expected tensor '" + name + "', found '" + got + "'");
    r.need(1);
    const bool is_long = bytes[r.pos++] == 1;
    if (is_long != (t.scalar_type() == torch::kLong)) throw FormatError(std::string(who) + ": tensor '" + name + "' has the wrong type");
    const std::uint64_t dims = r.u64();
    if (dims != static_cast<std::uint64_t>(t.dim())) throw FormatError(std::string(who) + ": tensor '" + name + "' has the wrong rank");
    for (std::int64_t d = 0; d < t.dim(); ++d)
      if (r.u64() != static_cast<std::uint64_t>(t.size(d))) throw FormatError(std::string(who) + ": tensor '" + name + "' has the wrong shape");
    const std::size_t nbytes = static_cast<std::size_t>(t.numel()) * t.element_size();
    r.need(nbytes);
    torch::Tensor src = torch::empty_like(t);
    std::memcpy(src.data_ptr(), bytes.data() + r.pos, nbytes);
    r.pos += nbytes;
    t.copy_(src);
  }
  if (r.pos != bytes.size()) throw FormatError(std::string(who) + ": " + std::to_string(bytes.size() - r.pos) + " trailing bytes after the weights");
}

// ---- training ----------------------------------------------------------------

torch::Tensor as_tensor(const Rows& r) {
  return torch::from_blob(const_cast<float*>(r.X.data()), {static_cast<std::int64_t>(r.n), static_cast<std::int64_t>(r.dim)},
                          torch::kFloat32);
}

torch::Tensor labels(const Rows& r) {
  return torch::tensor(std::vector<std::int64_t>(r.y.begin(), r.y.end()), torch::kLong);
}

constexpr std::int64_t kEvalBatch = 4096;

// Logits for all rows in eval mode, in batches.
torch::Tensor logits_of(Net& net, const torch::Tensor& X) {
  torch::NoGradGuard ng;
  net->eval();
  std::vector<torch::Tensor> parts;
  for (std::int64_t i = 0; i < X.size(0); i += kEvalBatch)
    parts.push_back(net->forward(X.narrow(0, i, std::min(kEvalBatch, X.size(0) - i))));
  return parts.empty() ? torch::empty({0, 5}) : torch::cat(parts, 0);
}

torch::Tensor embeddings_of(Net& net, const torch::Tensor& X) {
  torch::NoGradGuard ng;
  net->eval();
  std::vector<torch::Tensor> parts;
  for (std::int64_t i = 0; i < X.size(0); i += kEvalBatch)
    parts.push_back(net->embed(X.narrow(0, i, std::min(kEvalBatch, X.size(0) - i))));
  return torch::cat(parts, 0);
}

std::vector<std::int32_t> argmax_of(const torch::Tensor& logits) {
  const torch::Tensor a = logits.argmax(1).to(torch::kInt).contiguous();
  return {a.data_ptr<std::int32_t>(), a.data_ptr<std::int32_t>() + a.numel()};
}

// Trains `net` with Adam and early stopping on the early rows' log loss; the
// best epoch's weights are restored at the end. Without early rows it runs
// every epoch at the initial learning rate and keeps the last. Log entries
// are appended.
int train_net(Net& net, const Rows& fit, const Rows& early, const TrainSettings& t, std::uint64_t seed, const char* stage,
              std::vector<TrainLogEntry>& log, const TrainProgress& progress) {
  if (fit.n == 0) throw InvalidArgument("no rows to fit");
  const bool stops = early.n > 0;
  if (fit.dim != static_cast<std::size_t>(net->width()) || (stops && early.dim != fit.dim))
    throw InvalidArgument("rows have " + std::to_string(fit.dim) + " columns, the network reads " + std::to_string(net->width()));
  const torch::Tensor X = as_tensor(fit), y = labels(fit);
  const torch::Tensor Xe = stops ? as_tensor(early) : torch::Tensor(), ye = stops ? labels(early) : torch::Tensor();
  torch::Tensor weight;
  if (t.balanced) {
    std::array<double, 5> count{};
    for (auto v : fit.y) count[static_cast<std::size_t>(v)] += 1;
    double present = 0;
    for (double c : count) present += c > 0;
    std::vector<float> w(5);
    for (std::size_t c = 0; c < 5; ++c)
      w[c] = count[c] > 0 ? static_cast<float>(std::min(t.max_class_weight > 0 ? t.max_class_weight : INFINITY,
                                                        static_cast<double>(fit.n) / (present * count[c])))
                          : 0.0f;
    weight = torch::tensor(w);
  }
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(t.lr).weight_decay(t.weight_decay));
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<std::int64_t> order(fit.n);
  std::iota(order.begin(), order.end(), 0);
  double best = INFINITY;
  int best_epoch = 0, last_cut = 0;
  std::vector<std::pair<std::string, torch::Tensor>> best_state;
  for (int epoch = 1; epoch <= t.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    const torch::Tensor perm = torch::from_blob(order.data(), {static_cast<std::int64_t>(order.size())}, torch::kLong);
    net->train();
    double loss_sum = 0;
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(fit.n); i += t.batch_size) {
      const auto idx = perm.narrow(0, i, std::min<std::int64_t>(t.batch_size, static_cast<std::int64_t>(fit.n) - i));
      if (idx.size(0) < 2) continue;  // batch norm needs two rows
      const auto xb = X.index_select(0, idx), yb = y.index_select(0, idx);
      opt.zero_grad();
      const auto loss = torch::nn::functional::cross_entropy(
          net->forward(xb), yb, torch::nn::functional::CrossEntropyFuncOptions().weight(weight));
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>() * static_cast<double>(idx.size(0));
    }
    TrainLogEntry e;
    e.iteration = epoch;
    e.stage = stage;
    e.train_loss = loss_sum / static_cast<double>(fit.n);
    e.early_loss = NAN;
    if (stops) {
      const torch::Tensor le = logits_of(net, Xe);
      e.early_loss = torch::nn::functional::cross_entropy(le, ye).item<double>();
      e.early_macro_f1 = compute_metrics(early.y, argmax_of(le)).f1_macro;
    }
    log.push_back(e);
    if (progress) progress(epoch, t.epochs, e);
    if (!stops) {
      best_epoch = epoch;
      continue;
    }
    if (e.early_loss < best) {
      best = e.early_loss;
      best_epoch = epoch;
      last_cut = epoch;
      best_state.clear();
      for (auto& [k, v] : state_of(net)) best_state.emplace_back(k, v.detach().clone());
    } else if (epoch - best_epoch >= t.patience) {
      break;
    } else if (t.plateau > 0 && epoch - last_cut >= t.plateau) {
      // Reduce the learning rate on a plateau of the early-stopping loss.
      for (auto& g : opt.param_groups()) {
        auto& o = static_cast<torch::optim::AdamOptions&>(g.options());
        o.lr(o.lr() * t.plateau_factor);
      }
      last_cut = epoch;
    }
  }
  torch::NoGradGuard ng;
  if (stops) {
    auto now = state_of(net);
    for (std::size_t i = 0; i < now.size(); ++i) now[i].second.copy_(best_state[i].second);
  }
  net->eval();
  return best_epoch;
}

const nlohmann::json& net_defaults() {
  static const nlohmann::json d = {
      {"channels", {16, 32, 64}}, {"kernel", 5},          {"num_samples", 187}, {"dropout", 0.3},
      {"epochs", 30},             {"patience", 6},        {"batch_size", 512},  {"lr", 2e-3},
      {"weight_decay", 1e-4},     {"balanced_weights", true}, {"max_class_weight", 0.0}, {"plateau", 2},     {"plateau_factor", 0.5},
      // Inference: our own forward pass (batch norm folded; tested against
      // LibTorch) or LibTorch itself.
      {"inference", "native"},
  };
  return d;
}

bool inference_mode(const nlohmann::json& p, const std::string& family) {
  return params::choice(p, "inference", family, {"native", "torch"}) == "native";
}

void check_rows(const std::string& family, std::size_t got, int want) {
  if (got != static_cast<std::size_t>(want))
    throw InvalidArgument(family + ": rows have " + std::to_string(got) + " columns, the model reads " + std::to_string(want) +
                          " (samples then features)");
}

// The rows' columns [from, from + count).
Rows columns(const Rows& in, std::size_t from, std::size_t count) {
  if (from + count > in.dim) throw InvalidArgument("rows have " + std::to_string(in.dim) + " columns, fewer than the model reads");
  Rows r = in;
  r.dim = count;
  r.X.resize(in.n * count);
  for (std::size_t i = 0; i < in.n; ++i) std::copy_n(in.X.data() + i * in.dim + from, count, r.X.data() + i * count);
  return r;
}

// ---- what both families share ------------------------------------------------

class TorchClassifier : public Classifier {
 public:
  TorchClassifier(std::string family, bool mlp_branch, const nlohmann::json& defaults, const nlohmann::json& params,
                  std::uint64_t seed, int threads)
      : family_(std::move(family)), mlp_branch_(mlp_branch), seed_(seed), threads_(threads) {
    params_ = merged(defaults, params, family_);
    settings_ = settings_from(params_, family_);
    inference_mode(params_, family_);
  }
  std::string family() const override { return family_; }
  View view() const override { return View::feat; }
  nlohmann::json params() const override { return params_; }
  // The samples alone when neither the MLP branch (cnn-mlp) nor the
  // XGBoost stage (convxgb) is given the engineered features.
  std::vector<std::size_t> input_columns(std::size_t dim) const override {
    const bool features = params_[mlp_branch_ ? "use_features" : "xgb_with_features"].get<bool>();
    return Classifier::input_columns(features ? dim : std::min(dim, static_cast<std::size_t>(num_samples())));
  }

 protected:
  // The row: samples then features (read off the data at fit time, so the
  // file records what was used; unread by the net when use_features is false).
  int num_samples() const { return params_["num_samples"].get<int>(); }
  int full_width() const { return num_samples() + params_["num_features"].get<int>(); }
  bool native() const { return inference_mode(params_, family_); }
  void check_batch(std::span<const float> X, std::size_t rows) const {
    if (X.size() % rows) throw InvalidArgument(family_ + ": X is not rows x dim");
    check_rows(family_, X.size() / rows, full_width());
  }
  // A fresh, seeded network for rows of `dim` columns (0: keep num_features).
  void build_net(std::size_t dim = 0) {
    if (dim) params_["num_features"] = static_cast<int>(dim) - num_samples();
    torch::manual_seed(seed_);
    torch::set_num_threads(threads_);
    single_threaded_blas();
    net_ = Net(spec_from(params_, family_, mlp_branch_));
    net_->eval();
    forward_ = to_forward(net_);
  }
  int train(const Rows& fit, const Rows& early, const char* stage, std::vector<TrainLogEntry>& log, const TrainProgress& progress) {
    const auto w = static_cast<std::size_t>(net_->width());
    const int best = train_net(net_, columns(fit, 0, w), early.n ? columns(early, 0, w) : Rows{}, settings_, seed_, stage, log, progress);
    forward_ = to_forward(net_);
    return best;
  }
  void load_net_weights(std::span<const std::uint8_t> bytes) {
    load_net(net_, bytes, family_.c_str());
    net_->eval();
    forward_ = to_forward(net_);
  }

  std::string family_;
  bool mlp_branch_;
  nlohmann::json params_;
  TrainSettings settings_;
  std::uint64_t seed_;
  int threads_;
  mutable Net net_{nullptr};
  CnnForward forward_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- cnn-mlp -----------------------------------------------------------------

nlohmann::json cnn_mlp_defaults() {
  nlohmann::json d = net_defaults();
  d["use_features"] = true;
  d["num_features"] = 52;
  d["mlp_hidden"] = 64;
  d["head_hidden"] = 64;
  return d;
}

class CnnMlp final : public TorchClassifier {
 public:
  CnnMlp(const nlohmann::json& params, std::uint64_t seed, int threads)
      : TorchClassifier("cnn-mlp", true, cnn_mlp_defaults(), params, seed, threads) {
    build_net();
  }

  TrainResult fit(const Rows& fit, const Rows& early, const TrainProgress& progress) override {
    const auto t0 = std::chrono::steady_clock::now();
    build_net(fit.dim);
    TrainResult res;
    res.best_iteration = train(fit, early, "epoch", res.log, progress);
    res.seconds = seconds_since(t0);
    return res;
  }

  std::vector<float> predict_proba(std::span<const float> X, std::size_t rows) const override {
    if (rows == 0) return {};
    check_batch(X, rows);
    if (native()) return forward_.predict_proba(X, rows, static_cast<std::size_t>(full_width()), threads_);
    torch::InferenceMode im;
    const torch::Tensor x = torch::from_blob(const_cast<float*>(X.data()), {static_cast<std::int64_t>(rows), full_width()}, torch::kFloat32);
    const torch::Tensor p = torch::softmax(logits_of(net_, x.narrow(1, 0, net_->width())), 1).contiguous();
    return {p.data_ptr<float>(), p.data_ptr<float>() + rows * 5};
  }

  std::vector<std::uint8_t> save_weights() const override { return save_net(net_); }
  void load_weights(std::span<const std::uint8_t> bytes) override { load_net_weights(bytes); }
};

// ---- convxgb -----------------------------------------------------------------

nlohmann::json convxgb_defaults() {
  nlohmann::json d = net_defaults();
  d["dropout"] = 0.2;
  d["num_features"] = 52;
  d["xgb_with_features"] = true;  // XGBoost sees the pooled CNN values and the engineered features
  d["xgb"] = {{"num_round", 500}, {"early_stopping_rounds", 30}, {"eta", 0.2}, {"f1_every", 25}};
  return d;
}

class ConvXgb final : public TorchClassifier {
 public:
  ConvXgb(const nlohmann::json& params, std::uint64_t seed, int threads)
      : TorchClassifier("convxgb", false, convxgb_defaults(), params, seed, threads) {
    build();
  }

  TrainResult fit(const Rows& fit, const Rows& early, const TrainProgress& progress) override {
    const auto t0 = std::chrono::steady_clock::now();
    build(fit.dim);
    TrainResult res;
    train(fit, early, "cnn epoch", res.log, progress);
    const TrainResult xr = xgb_->fit(xgb_rows(fit), early.n ? xgb_rows(early) : Rows{}, progress);
    for (auto e : xr.log) {
      e.stage = "xgb round";
      res.log.push_back(e);
    }
    res.best_iteration = xr.best_iteration;
    res.seconds = seconds_since(t0);
    return res;
  }

  std::vector<float> predict_proba(std::span<const float> X, std::size_t rows) const override {
    if (rows == 0) return {};
    check_batch(X, rows);
    Rows r;
    r.n = rows;
    r.dim = static_cast<std::size_t>(full_width());
    r.X.assign(X.begin(), X.end());
    const Rows x = xgb_rows(r);
    return xgb_->predict_proba(x.X, x.n);
  }

  std::vector<std::uint8_t> save_weights() const override {
    std::vector<std::uint8_t> o;
    const auto a = save_net(net_), b = xgb_->save_weights();
    put_u64(o, a.size());
    o.insert(o.end(), a.begin(), a.end());
    o.insert(o.end(), b.begin(), b.end());
    return o;
  }
  void load_weights(std::span<const std::uint8_t> bytes) override {
    Reader r{bytes, 0, "convxgb"};
    const std::uint64_t n = r.u64();
    r.need(n);
    load_net_weights(bytes.subspan(8, n));
    xgb_->load_weights(bytes.subspan(8 + n));
  }

 private:
  void build(std::size_t dim = 0) {
    build_net(dim);
    xgb_ = make_xgb_feat(params_["xgb"], seed_, threads_);
  }

  // Pooled CNN values, then (optionally) the engineered features.
  Rows xgb_rows(const Rows& in) const {
    const int ns = num_samples();
    const std::size_t nf = params_["xgb_with_features"].get<bool>() ? in.dim - static_cast<std::size_t>(ns) : 0;
    const std::size_t ew = static_cast<std::size_t>(net_->embed_width());
    std::vector<float> native_emb;
    torch::Tensor emb;
    const float* e = nullptr;
    if (native()) {
      native_emb = forward_.embed_rows(in.X, in.n, in.dim, threads_);
      e = native_emb.data();
    } else {
      torch::InferenceMode im;
      const torch::Tensor x = torch::from_blob(const_cast<float*>(in.X.data()), {static_cast<std::int64_t>(in.n), static_cast<std::int64_t>(in.dim)}, torch::kFloat32);
      emb = embeddings_of(net_, x.narrow(1, 0, ns).contiguous()).contiguous();
      e = emb.data_ptr<float>();
    }
    Rows r = in;
    r.dim = ew + nf;
    r.X.resize(in.n * r.dim);
    for (std::size_t i = 0; i < in.n; ++i) {
      std::copy_n(e + i * ew, ew, r.X.data() + i * r.dim);
      std::copy_n(in.X.data() + i * in.dim + ns, nf, r.X.data() + i * r.dim + ew);
    }
    return r;
  }

  std::unique_ptr<Classifier> xgb_;
};

}  // namespace

}  // namespace heartwave

// The module's entry point (torch_families.hpp).
extern "C" __attribute__((visibility("default"))) heartwave::Classifier* heartwave_torch_create(
    const std::string& family, const nlohmann::json& params, std::uint64_t seed, int threads) {
  using namespace heartwave;
  if (family == "cnn-mlp") return new CnnMlp(params, seed, threads);
  if (family == "convxgb") return new ConvXgb(params, seed, threads);
  throw InvalidArgument("the LibTorch module has no family '" + family + "' (cnn-mlp, convxgb)");
}
