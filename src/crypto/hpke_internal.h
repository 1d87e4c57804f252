// Internal: the pieces of HPKE (include/vouch/crypto/hpke.h) below the public API, exposed to
// crypto/ and its tests so that the RFC 9180 vectors can check every intermediate value (key
// schedule context, secret, key, base nonce, exporter secret, per-message nonces).
//
// Thread-safe free functions; ContextState is thread-compatible.
#ifndef VOUCH_CRYPTO_HPKE_INTERNAL_H_
#define VOUCH_CRYPTO_HPKE_INTERNAL_H_

#include <array>
#include <cstdint>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/hpke.h"

namespace vouch::hpke::internal {

// The outputs of KeySchedule<ROLE>(mode_base, shared_secret, info, "", "") (RFC 9180 §5.1).
struct KeySchedule {
  Aead aead = Aead::kAes256Gcm;
  Bytes context;  // key_schedule_context = 0x00 ‖ psk_id_hash ‖ info_hash (65 bytes)
  SecretBytes secret;
  SecretBytes key;         // Nk bytes: 16, 32, or none for export-only
  SecretBytes base_nonce;  // 12 bytes, or none for export-only
  SecretBytes exporter_secret;
};

// REQUIRES: shared_secret is 32 bytes (else "hpke_malformed").
StatusOr<KeySchedule> KeyScheduleBase(Aead aead, const SecretBytes& shared_secret, ByteSpan info);

// ComputeNonce (RFC 9180 §5.2): base_nonce XOR I2OSP(seq, 12). REQUIRES: base_nonce is 12 bytes.
std::array<uint8_t, kNonceSize> ComputeNonce(const SecretBytes& base_nonce, uint64_t seq);

// What a SenderContext or RecipientContext holds.
struct ContextState {
  KeySchedule schedule;
  Enc enc{};
  uint64_t seq = 0;
};

}  // namespace vouch::hpke::internal

#endif  // VOUCH_CRYPTO_HPKE_INTERNAL_H_
