// Random texts made of given pieces, for tests that hold a fast path equal to its reference on
// inputs full of the cases that matter (tricks, boundaries, near misses). Deterministic per seed.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace detect::testing {

class PieceTexts {
 public:
  // Each text joins `min_pieces` to `max_pieces` pieces, picked at random with repetition.
  PieceTexts(std::vector<std::string> pieces, std::size_t min_pieces, std::size_t max_pieces,
             unsigned seed)
      : pieces_(std::move(pieces)),
        rng_(seed),
        pick_(0, pieces_.size() - 1),
        count_(min_pieces, max_pieces) {}

  std::string Next() {
    std::string t;
    for (std::size_t k = count_(rng_); k > 0; --k) t += pieces_[pick_(rng_)];
    return t;
  }

 private:
  std::vector<std::string> pieces_;
  std::mt19937 rng_;
  std::uniform_int_distribution<std::size_t> pick_;
  std::uniform_int_distribution<std::size_t> count_;
};

}  // namespace detect::testing
