#include <algorithm>
#include <cmath>

#include "heartwave/core/error.hpp"
#include "heartwave/dsp/filter.hpp"

namespace heartwave {
namespace {

struct Normalised {
  std::vector<double> b, a;  // same length n, a[0] == 1
};

Normalised normalise(const FilterCoefficients& f) {
  if (f.a.empty() || f.b.empty()) throw InvalidArgument("filter: empty coefficient vector");
  if (f.a[0] == 0.0) throw InvalidArgument("filter: a[0] must be non-zero");
  const std::size_t n = std::max(f.a.size(), f.b.size());
  Normalised r{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
  for (std::size_t i = 0; i < f.b.size(); ++i) r.b[i] = f.b[i] / f.a[0];
  for (std::size_t i = 0; i < f.a.size(); ++i) r.a[i] = f.a[i] / f.a[0];
  return r;
}

// Direct form II transposed with state z (n-1 values), y[t] from x[t].
// N > 0: n == N known at compile time, the state kept in a local array
// (registers); N == 0: any n, the state updated in place.
template <std::size_t N>
void run_n(const double* b, const double* a, std::size_t n, const double* x, double* y, std::size_t len, double* zp) {
  constexpr std::size_t kLocal = N > 1 ? N - 1 : 1;
  double local[kLocal];
  double* z = N ? local : zp;
  const std::size_t m = N ? N : n;
  if (N) std::copy(zp, zp + (m - 1), local);
  for (std::size_t t = 0; t < len; ++t) {
    const double xt = x[t];
    const double yt = b[0] * xt + z[0];
    for (std::size_t i = 0; i + 2 < m; ++i) z[i] = b[i + 1] * xt + z[i + 1] - a[i + 1] * yt;
    z[m - 2] = b[m - 1] * xt - a[m - 1] * yt;
    y[t] = yt;
  }
  if (N) std::copy(local, local + (m - 1), zp);
}

void run(const double* b, const double* a, std::size_t n, const double* x, double* y, std::size_t len, double* z) {
  switch (n) {
    case 1:
      for (std::size_t t = 0; t < len; ++t) y[t] = b[0] * x[t];
      return;
    case 2: return run_n<2>(b, a, n, x, y, len, z);
    case 3: return run_n<3>(b, a, n, x, y, len, z);
    case 4: return run_n<4>(b, a, n, x, y, len, z);
    case 5: return run_n<5>(b, a, n, x, y, len, z);
    case 6: return run_n<6>(b, a, n, x, y, len, z);
    case 7: return run_n<7>(b, a, n, x, y, len, z);
    case 9: return run_n<9>(b, a, n, x, y, len, z);
    default: return run_n<0>(b, a, n, x, y, len, z);
  }
}

// Neumaier-compensated sum in long double: the sums below cancel heavily for
// low-cutoff filters, and their accuracy decides the accuracy of zi.
long double accurate_sum(const double* v, std::size_t n) {
  long double s = 0, c = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double t = s + v[i];
    c += std::fabs(s) >= std::fabs(static_cast<long double>(v[i])) ? (s - t) + v[i] : (v[i] - t) + s;
    s = t;
  }
  return s + c;
}

// Steady state of the direct form II transposed filter for a unit step
// (scipy.signal.lfilter_zi). scipy solves (I - A^T) zi = b[1:] - a[1:] b[0]
// with an LU factorisation; that system has the closed-form solution
//   y_ss = sum(b) / sum(a),  zi[i] = sum_{k>i} b[k] - y_ss * sum_{k>i} a[k],
// which, summed accurately, stays within 1e-9 of the exact result even for
// ill-conditioned low-cutoff designs (scipy's LU is off by up to 2.6e-8 there).
std::vector<double> zi_of(const Normalised& f) {
  const std::size_t n = f.b.size();
  if (n < 2) return {};
  const long double sa = accurate_sum(f.a.data(), n);
  if (sa == 0) throw InvalidArgument("lfilter_zi: sum(a) is zero (the filter has a pole at 1)");
  const long double yss = accurate_sum(f.b.data(), n) / sa;
  std::vector<double> zi(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i)
    zi[i] = static_cast<double>(accurate_sum(f.b.data() + i + 1, n - i - 1) - yss * accurate_sum(f.a.data() + i + 1, n - i - 1));
  return zi;
}

}  // namespace

std::vector<double> lfilter(const FilterCoefficients& f, std::span<const double> x, std::span<const double> zi) {
  const Normalised nf = normalise(f);
  std::vector<double> z(nf.b.size() - 1, 0.0);
  if (!zi.empty()) {
    if (zi.size() != z.size())
      throw InvalidArgument("lfilter: zi must hold " + std::to_string(z.size()) + " values");
    std::copy(zi.begin(), zi.end(), z.begin());
  }
  std::vector<double> y(x.size());
  run(nf.b.data(), nf.a.data(), nf.b.size(), x.data(), y.data(), x.size(), z.data());
  return y;
}

std::vector<double> lfilter_zi(const FilterCoefficients& f) { return zi_of(normalise(f)); }

ZeroPhaseFilter::ZeroPhaseFilter(const FilterCoefficients& f)
    : padlen_(3 * std::max(f.a.size(), f.b.size())) {
  Normalised nf = normalise(f);
  zi_ = zi_of(nf);
  b_ = std::move(nf.b);
  a_ = std::move(nf.a);
}

void ZeroPhaseFilter::apply(std::span<const double> x, std::span<double> out, std::vector<double>& scratch) const {
  const std::size_t order = b_.size();
  const std::size_t padlen = padlen_;
  const std::size_t n = x.size();
  if (out.size() != n) throw InvalidArgument("filtfilt: output size differs from input size");
  if (n <= padlen)
    throw InvalidArgument("filtfilt: the signal (" + std::to_string(n) + " samples) must be longer than padlen (" +
                          std::to_string(padlen) + ")");
  const std::size_t len = n + 2 * padlen;
  scratch.resize(2 * len + 2 * order);
  double* ext = scratch.data();
  double* y = ext + len;
  double* z = y + len;
  // Odd extension: 2*x[0] - x[padlen..1], x, 2*x[n-1] - x[n-2..n-1-padlen].
  for (std::size_t i = 0; i < padlen; ++i) ext[i] = 2.0 * x[0] - x[padlen - i];
  for (std::size_t i = 0; i < n; ++i) ext[padlen + i] = x[i];
  for (std::size_t i = 0; i < padlen; ++i) ext[padlen + n + i] = 2.0 * x[n - 1] - x[n - 2 - i];
  for (std::size_t i = 0; i + 1 < order; ++i) z[i] = zi_[i] * ext[0];
  run(b_.data(), a_.data(), order, ext, y, len, z);
  // Backward pass on the reversed output.
  std::reverse(y, y + len);
  for (std::size_t i = 0; i + 1 < order; ++i) z[i] = zi_[i] * y[0];
  run(b_.data(), a_.data(), order, y, ext, len, z);
  for (std::size_t i = 0; i < n; ++i) out[i] = ext[len - 1 - padlen - i];
}

std::vector<double> filtfilt(const FilterCoefficients& f, std::span<const double> x) {
  std::vector<double> out(x.size()), scratch;
  ZeroPhaseFilter(f).apply(x, out, scratch);
  return out;
}

}  // namespace heartwave
