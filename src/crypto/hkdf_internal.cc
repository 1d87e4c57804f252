#include "crypto/hkdf_internal.h"

#include <algorithm>
#include <initializer_list>

#include "crypto/hmac_internal.h"

namespace vouch::internal {

StatusOr<SecretBytes> HkdfSha256Extract(ByteSpan salt, ByteSpan ikm) {
  static const uint8_t kZeroSalt[kHkdfSha256PrkSize] = {};
  SecretBytes prk(kHkdfSha256PrkSize);
  VOUCH_RETURN_IF_ERROR(
      HmacSha256Into(salt.empty() ? ByteSpan(kZeroSalt) : salt, {ikm}, prk.mutable_data()));
  return prk;
}

StatusOr<SecretBytes> HkdfSha256Expand(ByteSpan prk, ByteSpan info, size_t length) {
  if (prk.size() < kHkdfSha256PrkSize) {
    return InvalidArgumentError("HKDF-SHA256 PRK must be at least 32 bytes");
  }
  if (length == 0 || length > 255 * 32) {
    return InvalidArgumentError("HKDF-SHA256 output length must be 1..8160 bytes");
  }
  // T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), T(0) empty; OKM is T(1) ‖ T(2) ‖ … cut to `length`.
  // T(i) is written over T(i-1) in `t`, which HmacSha256Into has read in full by then.
  SecretBytes okm(length);
  SecretBytes t(kHkdfSha256PrkSize);
  ByteSpan previous;
  for (size_t done = 0, i = 1; done < length; ++i) {
    const uint8_t counter = static_cast<uint8_t>(i);
    VOUCH_RETURN_IF_ERROR(
        HmacSha256Into(prk, {previous, info, ByteSpan(&counter, 1)}, t.mutable_data()));
    const size_t n = std::min(length - done, kHkdfSha256PrkSize);
    std::copy_n(t.Reveal().data(), n, okm.mutable_data() + done);
    done += n;
    previous = t.Reveal();
  }
  return okm;
}

}  // namespace vouch::internal
