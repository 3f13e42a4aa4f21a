#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "heartwave/core/error.hpp"
#include "heartwave/data/smote.hpp"

using namespace heartwave;

namespace {
struct Data {
  std::vector<float> X;
  std::vector<int> y;
  std::size_t dim = 4;
};
Data make() {
  Data d;
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0, 1);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < (c == 0 ? 300 : c == 1 ? 40 : 12); ++i) {
      for (std::size_t k = 0; k < d.dim; ++k) d.X.push_back(g(rng) + 10.0f * static_cast<float>(c));
      d.y.push_back(c);
    }
  return d;
}
}  // namespace

TEST(Smote, ReachesTargetsWithInterpolatedRowsOfTheSameClass) {
  const Data d = make();
  SmoteOptions o;
  o.targets = {{1, 200}, {2, 100}, {0, 100}};  // class 0 is already above target
  const auto r = smote(d.X, d.dim, d.y, o);
  ASSERT_EQ(r.labels.size(), 160u + 88u);
  ASSERT_EQ(r.rows.size(), r.labels.size() * d.dim);
  for (std::size_t i = 0; i < r.labels.size(); ++i) {
    const auto p = static_cast<std::size_t>(r.parent[i]), q = static_cast<std::size_t>(r.neighbour[i]);
    EXPECT_EQ(d.y[p], r.labels[i]);
    EXPECT_EQ(d.y[q], r.labels[i]);
    EXPECT_NE(p, q);
    // The row lies on the segment parent -> neighbour: one common gap factor.
    double gap = -1;
    for (std::size_t k = 0; k < d.dim; ++k) {
      const float a = d.X[p * d.dim + k], b = d.X[q * d.dim + k], v = r.rows[i * d.dim + k];
      if (std::abs(b - a) < 1e-3f) continue;
      const double g = (v - a) / (b - a);
      EXPECT_GE(g, -1e-5);
      EXPECT_LE(g, 1 + 1e-5);
      if (gap < 0) gap = g;
      else EXPECT_NEAR(g, gap, 1e-3);
    }
  }
}

TEST(Smote, NeighboursAreTheNearest) {
  // Class 1 on a line: the k = 2 nearest of x are x-1 and x+1 (ends: two on one side).
  std::vector<float> X;
  std::vector<int> y;
  for (int i = 0; i < 10; ++i) {
    X.push_back(static_cast<float>(i * i));  // spacing grows: nearest are unambiguous
    y.push_back(1);
  }
  SmoteOptions o;
  o.k = 2;
  o.targets = {{1, 500}};
  const auto r = smote(X, 1, y, o);
  for (std::size_t i = 0; i < r.labels.size(); ++i) {
    const auto p = r.parent[i], q = r.neighbour[i];
    if (p == 0) EXPECT_TRUE(q == 1 || q == 2);
    else if (p == 9) EXPECT_TRUE(q == 8 || q == 7);
    else EXPECT_TRUE(q == p - 1 || q == p + 1 || (p >= 2 && q == p - 2 && p * p - (p - 2) * (p - 2) < (p + 1) * (p + 1) - p * p))
        << p << " -> " << q;
  }
}

TEST(Smote, DeterministicAndThreadCountIndependent) {
  const Data d = make();
  SmoteOptions o;
  o.targets = {{1, 150}};
  o.threads = 1;
  const auto a = smote(d.X, d.dim, d.y, o);
  o.threads = 2;
  const auto b = smote(d.X, d.dim, d.y, o);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.parent, b.parent);
  o.seed = 43;
  EXPECT_NE(smote(d.X, d.dim, d.y, o).rows, a.rows);
}

TEST(Smote, Errors) {
  const Data d = make();
  SmoteOptions o;
  o.targets = {{2, 100}};
  o.k = 20;  // class 2 has only 12 rows
  EXPECT_THROW(smote(d.X, d.dim, d.y, o), InvalidArgument);
  EXPECT_THROW(smote(d.X, 3, d.y, SmoteOptions{}), InvalidArgument);
  // A class with no rows cannot be oversampled and is left alone.
  o.k = 5;
  o.targets = {{4, 100}};
  EXPECT_TRUE(smote(d.X, d.dim, d.y, o).labels.empty());
}
