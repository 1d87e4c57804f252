// Checkpoint cosignatures, Ed25519 `cosignature/v1` (c2sp.org/tlog-cosignature@v1.0.1;
// spec/transparency-log.md §6). A cosignature is a note signature line added to a checkpoint by
// a cosigner (a witness or mirror):
//
//   key ID      = SHA-256(name ‖ "\n" ‖ 0x04 ‖ Ed25519 public key)[0:4]   (type byte 0x04)
//   line bytes  = key ID[4] ‖ u64 big-endian timestamp ‖ Ed25519 signature[64]   (76 bytes)
//   signed      = "cosignature/v1\n" "time <timestamp decimal>\n" <whole checkpoint text>
//
// The same Ed25519 key as a type-0x01 key has a different key ID; the two must never be mixed up.
// The signed message does not bind the cosigner's name: one key, one cosigner identity.
//
// Thread-safety: all classes are immutable after construction and safe to share.
#ifndef VOUCH_TLOG_COSIGNATURE_H_
#define VOUCH_TLOG_COSIGNATURE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/ed25519.h"
#include "vouch/tlog/note.h"

namespace vouch::tlog {

// Bytes after the key ID: 8-byte timestamp and 64-byte Ed25519 signature.
inline constexpr size_t kCosignatureV1Size = 72;
// Timestamps are POSIX seconds, at most 2^63 − 1.
inline constexpr uint64_t kMaxCosignatureTimestamp = (uint64_t{1} << 63) - 1;

// The exact signed message: "cosignature/v1\ntime <timestamp>\n" ‖ `checkpoint_text`.
std::string CosignatureV1Message(std::string_view checkpoint_text, uint64_t timestamp);

// The decoded signature bytes of a cosignature line (after the key ID).
struct CosignatureV1 {
  uint64_t timestamp = 0;
  std::array<uint8_t, 64> signature{};

  // Exactly kCosignatureV1Size bytes with timestamp <= kMaxCosignatureTimestamp.
  static StatusOr<CosignatureV1> Decode(ByteSpan bytes);
  Bytes Encode() const;
};

// Verifies cosignature/v1 lines of one cosigner key.
class CosignatureV1Verifier final : public NoteVerifier {
 public:
  // A cosigner known by its key name (a C2SP vkey of type 0x04).
  static StatusOr<std::shared_ptr<const CosignatureV1Verifier>> Create(std::string_view name,
                                                                       ByteSpan public_key);
  // A cosigner known only by its public key (Sigsum policies, spec §10.3): it matches a line
  // with any key name whose key ID is ComputeKeyId(<that name>, 0x04, key). `label` is used in
  // messages only.
  static StatusOr<std::shared_ptr<const CosignatureV1Verifier>> CreateAnyName(
      std::string_view label, ByteSpan public_key);

  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  bool Matches(std::string_view line_name, uint32_t line_key_id) const override;
  bool ClaimsName(std::string_view line_name) const override;
  Status Verify(ByteSpan text, ByteSpan signature) const override;
  // Verifies and returns the cosignature's timestamp.
  StatusOr<uint64_t> VerifyTimestamped(ByteSpan text, ByteSpan signature) const;

  bool any_name() const { return any_name_; }
  const Ed25519PublicKey& public_key() const { return key_; }

 private:
  CosignatureV1Verifier(std::string name, uint32_t key_id, Ed25519PublicKey key, bool any_name)
      : name_(std::move(name)), key_id_(key_id), key_(std::move(key)), any_name_(any_name) {}
  std::string name_;
  uint32_t key_id_;
  Ed25519PublicKey key_;
  bool any_name_;
};

// Produces cosignature/v1 lines. Deterministic for a given timestamp (RFC 8032).
class CosignatureV1Signer {
 public:
  static StatusOr<CosignatureV1Signer> FromSeed(std::string_view name, ByteSpan seed32);
  static StatusOr<CosignatureV1Signer> Generate(std::string_view name);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // The type-0x04 verifier key.
  VerifierKey verifier_key() const;
  const Ed25519PrivateKey& private_key() const { return key_; }

  // The signature bytes after the key ID (timestamp ‖ signature) over `checkpoint_text`.
  // REQUIRES-checked: 0 < timestamp <= kMaxCosignatureTimestamp.
  StatusOr<Bytes> Sign(std::string_view checkpoint_text, uint64_t timestamp) const;
  // The complete line "— <name> <base64>\n".
  StatusOr<std::string> CosignLine(std::string_view checkpoint_text, uint64_t timestamp) const;

 private:
  CosignatureV1Signer(std::string name, uint32_t key_id, Ed25519PrivateKey key)
      : name_(std::move(name)), key_id_(key_id), key_(std::move(key)) {}
  std::string name_;
  uint32_t key_id_;
  Ed25519PrivateKey key_;
};

// A witness key file holds one line,
//   PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x04 ‖ 32-byte Ed25519 seed)>
// the Go note private-key layout with the cosignature/v1 key type (docs/witness.md).
std::string FormatWitnessKeyFile(std::string_view name, ByteSpan seed32);
// Parses a key file and checks that its key ID matches the key (a typo cannot go unnoticed).
StatusOr<CosignatureV1Signer> ParseWitnessKeyFile(std::string_view text);

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_COSIGNATURE_H_
