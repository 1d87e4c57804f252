#include "vouch/crypto/shamir.h"

#include <array>
#include <string>

namespace vouch::shamir {
namespace {

Status Invalid(std::string message) { return MalformedError(kReasonInvalid, std::move(message)); }

// f(x) by Horner's rule for the coefficients coeffs[0..k-2] (a1..a(k-1)) and intercept s.
uint8_t Evaluate(uint8_t intercept, ByteSpan coeffs, uint8_t x) {
  uint8_t acc = 0;
  for (size_t j = coeffs.size(); j > 0; --j)
    acc = static_cast<uint8_t>(GfMul(acc, x) ^ coeffs[j - 1]);
  return static_cast<uint8_t>(GfMul(acc, x) ^ intercept);
}

}  // namespace

uint8_t GfMul(uint8_t a, uint8_t b) {
  // MSB first: r = 2r (reduced by 0x1B when the top bit falls off) + bit·a, all with masks.
  uint8_t r = 0;
  for (int i = 7; i >= 0; --i) {
    auto bit_mask = static_cast<uint8_t>(0 - ((b >> i) & 1));
    auto carry_mask = static_cast<uint8_t>(0 - (r >> 7));
    r = static_cast<uint8_t>((bit_mask & a) ^ (carry_mask & 0x1B) ^ (r << 1));
  }
  return r;
}

uint8_t GfInverse(uint8_t a) {
  // a^254 = a^(11111110b), square-and-multiply over the public exponent's bits.
  uint8_t r = 1;
  for (int i = 7; i >= 0; --i) {
    r = GfMul(r, r);
    if (((254 >> i) & 1) != 0) r = GfMul(r, a);
  }
  return r;
}

StatusOr<std::vector<SecretBytes>> Split(ByteSpan secret, size_t threshold, size_t share_count,
                                         RandomSource& rng) {
  if (secret.empty()) return Invalid("cannot split an empty secret");
  if (threshold < kMinThreshold || threshold > share_count || share_count > kMaxShares) {
    return Invalid("Shamir split needs 2 <= threshold <= shares <= 255, got threshold " +
                   std::to_string(threshold) + " of " + std::to_string(share_count));
  }
  // Distinct non-zero x-coordinates, uniformly without replacement.
  std::array<bool, 256> used{};
  used[0] = true;
  std::vector<uint8_t> xs;
  xs.reserve(share_count);
  while (xs.size() < share_count) {
    uint8_t x = 0;
    VOUCH_RETURN_IF_ERROR(rng.Fill(std::span<uint8_t>(&x, 1)));
    if (used[x]) continue;
    used[x] = true;
    xs.push_back(x);
  }
  const size_t degree = threshold - 1;
  SecretBytes coeffs(secret.size() * degree);
  VOUCH_RETURN_IF_ERROR(rng.Fill(std::span<uint8_t>(coeffs.mutable_data(), coeffs.size())));
  std::vector<SecretBytes> shares;
  shares.reserve(share_count);
  for (uint8_t x : xs) {
    SecretBytes share(secret.size() + 1);
    for (size_t b = 0; b < secret.size(); ++b) {
      share.mutable_data()[b] = Evaluate(secret[b], coeffs.Reveal().subspan(b * degree, degree), x);
    }
    share.mutable_data()[secret.size()] = x;
    shares.push_back(std::move(share));
  }
  return shares;
}

StatusOr<SecretBytes> Combine(std::span<const SecretBytes> shares) {
  if (shares.size() < kMinThreshold) {
    return Invalid("at least 2 shares are needed, got " + std::to_string(shares.size()));
  }
  if (shares.size() > kMaxShares) {
    return Invalid("at most 255 shares can be combined, got " + std::to_string(shares.size()));
  }
  const size_t length = shares[0].size();
  if (length < 2) return Invalid("a share must hold at least 2 bytes (y ‖ x)");
  std::vector<uint8_t> xs;
  xs.reserve(shares.size());
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i].size() != length) {
      return Invalid("shares have different lengths (" + std::to_string(length) + " and " +
                     std::to_string(shares[i].size()) +
                     " bytes): they come from different "
                     "secrets");
    }
    uint8_t x = shares[i].Reveal().back();
    if (x == 0) return Invalid("share " + std::to_string(i + 1) + " has x = 0, which no share has");
    for (size_t j = 0; j < i; ++j) {
      if (xs[j] != x) continue;
      if (shares[j] == shares[i]) {
        return Invalid("share " + std::to_string(i + 1) + " is a duplicate of share " +
                       std::to_string(j + 1) + " (x = " + std::to_string(x) + ")");
      }
      return Invalid("shares " + std::to_string(j + 1) + " and " + std::to_string(i + 1) +
                     " are inconsistent: both claim x = " + std::to_string(x) +
                     " with different values");
    }
    xs.push_back(x);
  }
  // Lagrange basis at 0: l_i = Π_{j≠i} x_j / (x_i + x_j) (subtraction is addition), computed
  // once from the public x-coordinates, then applied to every secret byte.
  std::vector<uint8_t> basis(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    uint8_t num = 1;
    uint8_t den = 1;
    for (size_t j = 0; j < xs.size(); ++j) {
      if (j == i) continue;
      num = GfMul(num, xs[j]);
      den = GfMul(den, static_cast<uint8_t>(xs[i] ^ xs[j]));
    }
    basis[i] = GfMul(num, GfInverse(den));
  }
  SecretBytes secret(length - 1);
  for (size_t b = 0; b + 1 < length; ++b) {
    uint8_t acc = 0;
    for (size_t i = 0; i < shares.size(); ++i) {
      acc = static_cast<uint8_t>(acc ^ GfMul(shares[i].Reveal()[b], basis[i]));
    }
    secret.mutable_data()[b] = acc;
  }
  return secret;
}

}  // namespace vouch::shamir
