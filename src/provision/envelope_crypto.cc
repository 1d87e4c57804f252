#include "vouch/provision/envelope_crypto.h"

#include <string>

#include "provision/open_inner.h"
#include "vouch/base/encoding.h"

namespace vouch::provision {
namespace {

Status BindingInvalid(std::string message) {
  return MalformedError(kReasonBindingInvalid, std::move(message));
}

}  // namespace

StatusOr<hpke::Ciphertext> SealEnvelopeSecret(const X25519PublicKey& broker_key,
                                              const EnvelopeBinding& binding, const Inner& inner,
                                              RandomSource& rng) {
  if (binding.broker_keyid != X25519KeyIdDigest(broker_key)) {
    return BindingInvalid("the envelope names broker keyid " + HexEncode(binding.broker_keyid) +
                          ", not that of the key it is sealed to (" + X25519KeyId(broker_key) +
                          ")");
  }
  Status committed = inner.VerifyCommitment(binding.id, binding.commitment);
  if (committed.code() == StatusCode::kPermissionDenied) {
    return BindingInvalid("the envelope's commitment is not that of this secret and id");
  }
  VOUCH_RETURN_IF_ERROR(committed);
  VOUCH_ASSIGN_OR_RETURN(Bytes info, EnvelopeInfo(binding));
  return hpke::SealBase(broker_key, info, {}, inner.Encode().Reveal(), hpke::Aead::kAes256Gcm, rng);
}

StatusOr<Inner> OpenEnvelopeSecret(const X25519PrivateKey& broker_key,
                                   const EnvelopeBinding& binding, const hpke::Ciphertext& sealed) {
  if (binding.broker_keyid != X25519KeyIdDigest(broker_key.public_key())) {
    return MalformedError(kReasonEnvelopeWrongBroker,
                          "the envelope is for broker key " + HexEncode(binding.broker_keyid) +
                              ", not this broker's " + X25519KeyId(broker_key.public_key()));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes info, EnvelopeInfo(binding));
  return internal::OpenInner(broker_key, info, sealed, kReasonEnvelopeDecryptFailed,
                             "the envelope does not decrypt");
}

StatusOr<hpke::Encapsulation> EncapToEnclave(const X25519PublicKey& enclave_key,
                                             RandomSource& rng) {
  auto encapsulation = hpke::Encap(enclave_key, rng);
  if (!encapsulation.ok() && encapsulation.status().reason() == hpke::kReasonInvalidKey) {
    return MalformedError(
        kReasonEnclaveKeyInvalid,
        "the enclave key is not a usable X25519 public key: " + encapsulation.status().message());
  }
  return encapsulation;
}

StatusOr<hpke::Ciphertext> SealResponse(const hpke::Encapsulation& encapsulation,
                                        const ResponseBinding& binding, const Inner& inner) {
  if (encapsulation.recipient != binding.enclave_key) {
    return BindingInvalid("the encapsulation was made for another enclave key");
  }
  VOUCH_ASSIGN_OR_RETURN(hpke::SenderContext ctx, hpke::SenderContext::FromEncapsulation(
                                                      encapsulation, ReleaseResponseInfo(binding)));
  hpke::Ciphertext out;
  VOUCH_ASSIGN_OR_RETURN(out.ct, ctx.Seal({}, inner.Encode().Reveal()));
  out.enc = ctx.enc();
  return out;
}

StatusOr<Inner> OpenResponse(const X25519PrivateKey& enclave_key, const ResponseBinding& binding,
                             const hpke::Ciphertext& sealed) {
  if (enclave_key.public_key() != binding.enclave_key) {
    return BindingInvalid("the response binding names another enclave key than the one given");
  }
  return internal::OpenInner(enclave_key, ReleaseResponseInfo(binding), sealed,
                             kReasonResponseDecryptFailed,
                             "the broker's response does not decrypt");
}

}  // namespace vouch::provision
