#include "cnn_forward.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <thread>

namespace heartwave {
namespace {

// Conv (same padding, stride 1) + ReLU + max-pool 2 of `len` samples of `in`
// channels; writes out x floor(len / 2) to `y`.
void conv_block(const ConvLayer& c, const float* x, int len, float* y, std::vector<float>& pad, std::vector<float>& acc) {
  const int p = c.kernel / 2, plen = len + 2 * p;
  pad.assign(static_cast<std::size_t>(c.in * plen), 0.0f);
  for (int i = 0; i < c.in; ++i) std::copy_n(x + i * len, len, pad.data() + i * plen + p);
  acc.resize(static_cast<std::size_t>(len));
  const int half = len / 2;
  for (int o = 0; o < c.out; ++o) {
    float* a = acc.data();
    std::fill_n(a, len, c.b[static_cast<std::size_t>(o)]);
    const float* wo = c.w.data() + static_cast<std::size_t>(o) * c.in * c.kernel;
    for (int i = 0; i < c.in; ++i) {
      const float* xi = pad.data() + i * plen;
      for (int k = 0; k < c.kernel; ++k) {
        const float w = wo[i * c.kernel + k];
        const float* xs = xi + k;
        for (int t = 0; t < len; ++t) a[t] += w * xs[t];  // vectorised over t
      }
    }
    float* yo = y + o * half;
    for (int t = 0; t < half; ++t) yo[t] = std::max(0.0f, std::max(a[2 * t], a[2 * t + 1]));  // ReLU then pool (they commute)
  }
}

void dense(const DenseLayer& d, const float* x, float* y) {
  for (int o = 0; o < d.out; ++o) {
    const float* w = d.w.data() + static_cast<std::size_t>(o) * d.in;
    float s = d.b[static_cast<std::size_t>(o)];
    for (int i = 0; i < d.in; ++i) s += w[i] * x[i];
    y[o] = d.relu ? std::max(0.0f, s) : s;
  }
}

void parallel_rows(std::size_t rows, int threads, const std::function<void(std::size_t, std::size_t)>& fn) {
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), std::max<std::size_t>(1, rows / 64));
  if (n <= 1) return fn(0, rows);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < n; ++t) pool.emplace_back(fn, rows * t / n, rows * (t + 1) / n);
  for (auto& th : pool) th.join();
}

}  // namespace

void CnnForward::embed(const float* samples, float* out) const {
  thread_local std::vector<float> a, b, pad, acc;
  a.assign(samples, samples + num_samples);
  int len = num_samples;
  for (const auto& c : convs) {
    b.resize(static_cast<std::size_t>(c.out * (len / 2)));
    conv_block(c, a.data(), len, b.data(), pad, acc);
    std::swap(a, b);
    len /= 2;
  }
  const int ch = embed_width();
  for (int o = 0; o < ch; ++o) {
    float s = 0;
    for (int t = 0; t < len; ++t) s += a[static_cast<std::size_t>(o * len + t)];
    out[o] = s / static_cast<float>(len);
  }
}

void CnnForward::logits(const float* row, float* out) const {
  thread_local std::vector<float> z, u, v;
  z.resize(static_cast<std::size_t>(embed_width()));
  embed(row, z.data());
  if (!mlp.empty()) {
    u.assign(row + num_samples, row + num_samples + num_features);
    for (const auto& d : mlp) {
      v.resize(static_cast<std::size_t>(d.out));
      dense(d, u.data(), v.data());
      std::swap(u, v);
    }
    z.insert(z.end(), u.begin(), u.end());
  }
  for (std::size_t l = 0; l < head.size(); ++l) {
    const auto& d = head[l];
    float* dst = out;
    if (l + 1 < head.size()) {
      v.resize(static_cast<std::size_t>(d.out));
      dst = v.data();
    }
    dense(d, z.data(), dst);
    if (l + 1 < head.size()) z.assign(v.begin(), v.end());
  }
}

std::vector<float> CnnForward::predict_proba(std::span<const float> X, std::size_t rows, std::size_t stride, int threads) const {
  std::vector<float> out(rows * 5);
  parallel_rows(rows, threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) {
      float* o = out.data() + r * 5;
      logits(X.data() + r * stride, o);
      const float m = *std::max_element(o, o + 5);
      float s = 0;
      for (int c = 0; c < 5; ++c) s += (o[c] = std::exp(o[c] - m));
      for (int c = 0; c < 5; ++c) o[c] /= s;
    }
  });
  return out;
}

std::vector<float> CnnForward::embed_rows(std::span<const float> X, std::size_t rows, std::size_t stride, int threads) const {
  const auto w = static_cast<std::size_t>(embed_width());
  std::vector<float> out(rows * w);
  parallel_rows(rows, threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) embed(X.data() + r * stride, out.data() + r * w);
  });
  return out;
}

}  // namespace heartwave
