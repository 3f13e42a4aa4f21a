#include "cnn_forward.hpp"

#include <algorithm>
#include <cmath>

#include "parallel_rows.hpp"

namespace heartwave {
namespace {

// Conv (same padding, stride 1) of `len` time steps of `in` channels,
// channels last (x[t * in + i], zero-padded by kernel / 2 on both sides in
// `pad`), into acc[t * out + o]. The weights are laid out [i][k][o]; with OUT
// known at compile time the OUT accumulators of a time step stay in vector
// registers while the input is broadcast.
typedef float v8sf __attribute__((vector_size(32)));

template <int OUT>
__attribute__((always_inline)) inline void conv_fixed(const float* pad, const float* wt, const float* bias, int in, int K,
                                                       int len, float* acc) {
  static_assert(OUT % 8 == 0);
  constexpr int NV = OUT / 8;
  for (int t = 0; t < len; ++t) {
    v8sf s[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) __builtin_memcpy(&s[j], bias + 8 * j, sizeof(v8sf));
    const float* xt = pad + t * in;
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < in; ++i) {
        const float v = xt[k * in + i];
        const v8sf vb = {v, v, v, v, v, v, v, v};
        const float* w = wt + (i * K + k) * OUT;
#pragma GCC unroll 8
        for (int j = 0; j < NV; ++j) {
          v8sf wj;
          __builtin_memcpy(&wj, w + 8 * j, sizeof(v8sf));
          s[j] += vb * wj;
        }
      }
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) __builtin_memcpy(acc + t * OUT + 8 * j, &s[j], sizeof(v8sf));
  }
}

__attribute__((always_inline)) inline void conv_any(const float* pad, const float* wt, const float* bias, int in, int K,
                                                     int len, int out, float* acc) {
  switch (out) {
    case 8: return conv_fixed<8>(pad, wt, bias, in, K, len, acc);
    case 16: return conv_fixed<16>(pad, wt, bias, in, K, len, acc);
    case 32: return conv_fixed<32>(pad, wt, bias, in, K, len, acc);
    case 64: return conv_fixed<64>(pad, wt, bias, in, K, len, acc);
    default: break;
  }
  for (int t = 0; t < len; ++t) {
    float* a = acc + t * out;
    std::copy_n(bias, out, a);
    for (int k = 0; k < K; ++k)
      for (int i = 0; i < in; ++i) {
        const float v = pad[(t + k) * in + i];
        const float* w = wt + (i * K + k) * out;
        for (int o = 0; o < out; ++o) a[o] += v * w[o];
      }
  }
}

// The same code compiled twice: for AVX2 + FMA machines and for any x86-64.
__attribute__((target("avx2,fma"))) void conv_avx2(const float* pad, const float* wt, const float* bias, int in, int K,
                                                    int len, int out, float* acc) {
  conv_any(pad, wt, bias, in, K, len, out, acc);
}
void conv_generic(const float* pad, const float* wt, const float* bias, int in, int K, int len, int out, float* acc) {
  conv_any(pad, wt, bias, in, K, len, out, acc);
}
const bool kHasAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

// Conv + ReLU + max-pool 2; writes floor(len / 2) x out, channels last, to `y`.
void conv_block(const ConvLayer& c, const std::vector<float>& wt, const float* x, int len, float* y, std::vector<float>& pad,
                std::vector<float>& acc) {
  const int p = c.kernel / 2, plen = len + 2 * p, in = c.in, out = c.out;
  pad.assign(static_cast<std::size_t>(plen * in), 0.0f);
  std::copy_n(x, len * in, pad.data() + p * in);
  acc.resize(static_cast<std::size_t>(len * out));
  (kHasAvx2 ? conv_avx2 : conv_generic)(pad.data(), wt.data(), c.b.data(), in, c.kernel, len, out, acc.data());
  const int half = len / 2;
  for (int t = 0; t < half; ++t) {
    const float* a0 = acc.data() + 2 * t * out;
    const float* a1 = a0 + out;
    float* yt = y + t * out;
    for (int o = 0; o < out; ++o) yt[o] = std::max(0.0f, std::max(a0[o], a1[o]));  // ReLU then pool (they commute)
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

}  // namespace

void CnnForward::embed(const float* samples, float* out) const {
  thread_local std::vector<float> a, b, pad, acc;
  a.assign(samples, samples + num_samples);  // one channel: channels last already
  int len = num_samples;
  for (std::size_t l = 0; l < convs.size(); ++l) {
    const auto& c = convs[l];
    b.resize(static_cast<std::size_t>(c.out * (len / 2)));
    conv_block(c, transposed_[l], a.data(), len, b.data(), pad, acc);
    std::swap(a, b);
    len /= 2;
  }
  const int ch = embed_width();
  std::fill_n(out, ch, 0.0f);
  for (int t = 0; t < len; ++t)
    for (int o = 0; o < ch; ++o) out[o] += a[static_cast<std::size_t>(t * ch + o)];
  for (int o = 0; o < ch; ++o) out[o] /= static_cast<float>(len);
}

void CnnForward::prepare() {
  transposed_.clear();
  for (const auto& c : convs) {
    std::vector<float> wt(c.w.size());
    for (int o = 0; o < c.out; ++o)
      for (int i = 0; i < c.in; ++i)
        for (int k = 0; k < c.kernel; ++k)
          wt[static_cast<std::size_t>((i * c.kernel + k) * c.out + o)] = c.w[static_cast<std::size_t>((o * c.in + i) * c.kernel + k)];
    transposed_.push_back(std::move(wt));
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
  parallel_rows(rows, threads, 64, [&](std::size_t lo, std::size_t hi) {
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
  parallel_rows(rows, threads, 64, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) embed(X.data() + r * stride, out.data() + r * w);
  });
  return out;
}

}  // namespace heartwave
