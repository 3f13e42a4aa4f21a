// Private to src/models: inference for the trained 1-D CNNs without LibTorch.
// Batch norm is folded into the convolutions; dropout is the identity at
// inference. Tested to match LibTorch's eval-mode output.
#pragma once
#include <span>
#include <vector>

namespace heartwave {

struct ConvLayer {
  int in = 0, out = 0, kernel = 0;
  std::vector<float> w;  // out x in x kernel (batch norm folded in)
  std::vector<float> b;  // out
};

struct DenseLayer {
  int in = 0, out = 0;
  std::vector<float> w;  // out x in
  std::vector<float> b;  // out
  bool relu = false;
};

class CnnForward {
 public:
  int num_samples = 0, num_features = 0;  // the row: samples then features
  std::vector<ConvLayer> convs;           // each: conv (same padding), ReLU, max-pool 2
  std::vector<DenseLayer> mlp;            // on the features (may be empty)
  std::vector<DenseLayer> head;           // on [pooled trunk, mlp output]

  // Call once the layers are filled in (lays the weights out for speed).
  void prepare();
  int embed_width() const { return convs.empty() ? 0 : convs.back().out; }
  // Pooled trunk output of one beat's samples (embed_width() values).
  void embed(const float* samples, float* out) const;
  // Class logits of one row (samples then features), 5 values.
  void logits(const float* row, float* out) const;
  // rows x 5 softmax probabilities, rows split over `threads` threads.
  std::vector<float> predict_proba(std::span<const float> X, std::size_t rows, std::size_t row_stride, int threads) const;
  // rows x embed_width() pooled values.
  std::vector<float> embed_rows(std::span<const float> X, std::size_t rows, std::size_t row_stride, int threads) const;

 private:
  std::vector<std::vector<float>> transposed_;  // conv weights as [i][k][o]
};

}  // namespace heartwave
