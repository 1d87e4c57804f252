// The two HPKE hops a provisioned secret makes (spec/provisioning.md §1.3, §2.4, §3.4, §3.6):
//
//   owner ──SealEnvelopeSecret──▶ envelope (broker's key, envelope info)
//         ──OpenEnvelopeSecret──▶ broker   (step 16)
//   broker ──EncapToEnclave (step 10) … SealResponse (step 17)──▶ response (enclave's key)
//          ──OpenResponse──▶ enclave (E6)
//
// Every hop encrypts the inner plaintext (inner.h) with Vouch's suite (DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256, AES-256-GCM), SealBase/OpenBase with the `info` of binding.h and an
// empty aad. This is the cryptographic core only: the JSON payload, its DSSE signature and the
// broker's policy checks are layered on top and decide which bindings reach these functions.
//
// Errors, with the spec's codes as reasons:
//   kInvalidArgument   "binding_invalid"          a binding that does not describe this
//                                                 seal (a keyid or commitment that does not
//                                                 match the key or inner given)
//   kInvalidArgument   "envelope_wrong_broker"    OpenEnvelopeSecret with a key whose keyid is
//                                                 not binding.broker_keyid (§3.4 step 3)
//   kPermissionDenied  "envelope_decrypt_failed"  the envelope does not open, or its inner is
//                                                 malformed (§3.4 step 16)
//   kInvalidArgument   "enclave_key_invalid"      the enclave's key is a low-order point
//                                                 (§3.4 step 10)
//   kPermissionDenied  "response_decrypt_failed"  the response does not open, or its inner is
//                                                 malformed (E6)
//   kInternal                                     OpenSSL or the RandomSource failed
// A failed open never returns plaintext; the buffers it used are wiped.
//
// Thread-safe free functions.
#ifndef VOUCH_PROVISION_ENVELOPE_CRYPTO_H_
#define VOUCH_PROVISION_ENVELOPE_CRYPTO_H_

#include "vouch/base/statusor.h"
#include "vouch/crypto/hpke.h"
#include "vouch/crypto/random_source.h"
#include "vouch/crypto/x25519.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/inner.h"

namespace vouch::provision {

inline constexpr char kReasonEnvelopeWrongBroker[] = "envelope_wrong_broker";
inline constexpr char kReasonEnvelopeDecryptFailed[] = "envelope_decrypt_failed";
inline constexpr char kReasonEnclaveKeyInvalid[] = "enclave_key_invalid";
inline constexpr char kReasonResponseDecryptFailed[] = "response_decrypt_failed";

// §2.4 step 6: SealBase(broker_pk, EnvelopeInfo(binding), "", inner). REQUIRES (checked):
// binding.broker_keyid is the keyid of `broker_key` and binding.commitment is
// inner.CommitmentFor(binding.id).
StatusOr<hpke::Ciphertext> SealEnvelopeSecret(const X25519PublicKey& broker_key,
                                              const EnvelopeBinding& binding, const Inner& inner,
                                              RandomSource& rng = SystemRandom());

// §3.4 step 16: OpenBase with the broker's key, then Inner::Parse.
StatusOr<Inner> OpenEnvelopeSecret(const X25519PrivateKey& broker_key,
                                   const EnvelopeBinding& binding, const hpke::Ciphertext& sealed);

// §3.4 step 10: Encap to the enclave's key, kept for step 17.
StatusOr<hpke::Encapsulation> EncapToEnclave(const X25519PublicKey& enclave_key,
                                             RandomSource& rng = SystemRandom());

// §3.4 step 17: the key schedule with ReleaseResponseInfo(binding), sealing `inner`.
// REQUIRES (checked): `encapsulation` was made for binding.enclave_key.
StatusOr<hpke::Ciphertext> SealResponse(const hpke::Encapsulation& encapsulation,
                                        const ResponseBinding& binding, const Inner& inner);

// E6: OpenBase with the enclave's key, then Inner::Parse. REQUIRES (checked):
// binding.enclave_key is the public half of `enclave_key`.
StatusOr<Inner> OpenResponse(const X25519PrivateKey& enclave_key, const ResponseBinding& binding,
                             const hpke::Ciphertext& sealed);

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_ENVELOPE_CRYPTO_H_
