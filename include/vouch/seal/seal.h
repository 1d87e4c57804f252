// Sealing (docs/sealing.md): AES-256-GCM blobs that only an enclave with the right identity on
// the same platform can open, under a key the platform derives for a policy:
//
//   MRENCLAVE  only the same measurement unseals (and the same product and debug mode);
//   MRSIGNER   the same signer and product with an ISV SVN at least the blob's unseals — a
//              newer enclave opens older data, never the reverse (SGX EGETKEY's rule).
//
// Blob format v1 (all integers little-endian; the whole 80-byte header is the start of the
// GCM associated data, followed by the caller's `aad`, which is not stored):
//
//   off size field
//     0    4 magic "VSL1"
//     4    2 version (1)
//     6    1 policy: 1 MRENCLAVE, 2 MRSIGNER
//     7    1 flags (0)
//     8    2 ISV SVN the key was derived for (the sealer's own)
//    10    2 ISVPRODID of the sealer
//    12   32 MRENCLAVE (policy 1) or MRSIGNER (policy 2) of the sealer
//    44   16 key ID (KEYID of the key derivation)
//    60   12 nonce
//    72    8 ciphertext size n
//    80    n ciphertext
//  80+n   16 GCM tag
//
// Every failure is an error, never garbage: kInvalidArgument (reason "sealed_blob_malformed")
// for a blob that does not parse (truncated, extended, wrong magic, version, policy or flags);
// kPermissionDenied for one that parses but may not or cannot be opened here (reasons
// "seal_identity_mismatch", "seal_product_mismatch", "seal_svn_too_new", "seal_open_failed").
#ifndef VOUCH_SEAL_SEAL_H_
#define VOUCH_SEAL_SEAL_H_

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/platform/platform.h"

namespace vouch::seal {

using platform::SealPolicy;

inline constexpr std::array<uint8_t, 4> kSealedBlobMagic = {'V', 'S', 'L', '1'};
inline constexpr uint16_t kSealedBlobVersion = 1;
inline constexpr size_t kSealedBlobHeaderSize = 80;
inline constexpr size_t kSealedBlobOverhead = kSealedBlobHeaderSize + 16;

// The parsed header of a sealed blob.
struct SealedBlobHeader {
  SealPolicy policy = SealPolicy::kMrEnclave;
  uint16_t isv_svn = 0;
  uint16_t product_id = 0;
  std::array<uint8_t, 32> identity{};  // MRENCLAVE or MRSIGNER, by policy
  std::array<uint8_t, 16> key_id{};
  std::array<uint8_t, 12> nonce{};
  uint64_t ciphertext_size = 0;

  // Parses and checks the header of `blob`, including that the blob is exactly header,
  // ciphertext and tag long. kInvalidArgument (reason "sealed_blob_malformed").
  static StatusOr<SealedBlobHeader> Parse(ByteSpan blob);
  // The 80 header bytes.
  std::array<uint8_t, kSealedBlobHeaderSize> Encode() const;
};

// Seals and unseals for one platform, caching derived keys. Thread-compatible: use one Sealer
// per thread. REQUIRES: `platform` outlives the Sealer.
class Sealer {
 public:
  // Chooses a random key ID for this sealer's blobs (KEYID); keys for other key IDs are
  // derived when a blob needs them and cached (at most 64).
  static StatusOr<Sealer> Create(const platform::Platform& platform);

  Sealer(Sealer&&) noexcept;
  Sealer& operator=(Sealer&&) noexcept;
  ~Sealer();

  // A blob only `policy`'s holders can open, under the platform's current identity.
  StatusOr<Bytes> Seal(SealPolicy policy, ByteSpan plaintext, ByteSpan aad);
  // The same into `out` (resized; reusing its capacity avoids an allocation per call).
  Status SealTo(SealPolicy policy, ByteSpan plaintext, ByteSpan aad, Bytes& out);

  // Opens `blob` with the caller's `aad`. See the file comment for the errors.
  StatusOr<SecretBytes> Unseal(ByteSpan blob, ByteSpan aad);
  // The same into `out`, which is reused when it already has the plaintext's size and wiped
  // on every failure.
  Status UnsealTo(ByteSpan blob, ByteSpan aad, SecretBytes& out);

 private:
  struct Impl;
  explicit Sealer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot forms (derive the key on every call; use a Sealer for many blobs).
StatusOr<Bytes> Seal(const platform::Platform& platform, SealPolicy policy,
                     const SecretBytes& plaintext, ByteSpan aad);
StatusOr<SecretBytes> Unseal(const platform::Platform& platform, ByteSpan blob, ByteSpan aad);

}  // namespace vouch::seal

#endif  // VOUCH_SEAL_SEAL_H_
