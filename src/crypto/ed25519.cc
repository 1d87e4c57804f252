#include "vouch/crypto/ed25519.h"

#include "crypto/ossl_ptr.h"
#include "vouch/crypto/random.h"

namespace vouch {

struct Ed25519PublicKey::Impl {
  internal::EvpPkeyPtr pkey;
};
struct Ed25519PrivateKey::Impl {
  internal::EvpPkeyPtr pkey;
};

StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromBytes(ByteSpan raw32) {
  if (raw32.size() != 32) {
    return InvalidArgumentError("Ed25519 public key must be 32 bytes, got " +
                                std::to_string(raw32.size()));
  }
  internal::EvpPkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw32.data(), raw32.size()));
  if (!pkey) return internal::OsslErrorWithCode(StatusCode::kInvalidArgument, "bad Ed25519 key");
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  std::array<uint8_t, 32> bytes;
  std::copy(raw32.begin(), raw32.end(), bytes.begin());
  return Ed25519PublicKey(std::move(impl), bytes);
}

Status Ed25519PublicKey::Verify(ByteSpan message, ByteSpan signature) const {
  if (signature.size() != 64) {
    return InvalidArgumentError("Ed25519 signature must be 64 bytes, got " +
                                std::to_string(signature.size()));
  }
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1) {
    return internal::OsslError("EVP_DigestVerifyInit");
  }
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                       message.size()) == 1) {
    return OkStatus();
  }
  internal::ClearOsslErrors();
  return RejectedError("signature_invalid", "Ed25519 signature does not verify");
}

StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes seed, RandomSecret(32));
  return FromSeed(seed.Reveal());
}

StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(ByteSpan seed32) {
  if (seed32.size() != 32) return InvalidArgumentError("Ed25519 seed must be 32 bytes");
  internal::EvpPkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed32.data(), seed32.size()));
  if (!pkey) return internal::OsslError("cannot load Ed25519 private key");
  std::array<uint8_t, 32> pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != 32) {
    return internal::OsslError("cannot derive Ed25519 public key");
  }
  VOUCH_ASSIGN_OR_RETURN(Ed25519PublicKey public_key, Ed25519PublicKey::FromBytes(pub));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return Ed25519PrivateKey(std::move(impl), std::make_shared<const SecretBytes>(seed32),
                           std::move(public_key));
}

StatusOr<Bytes> Ed25519PrivateKey::Sign(ByteSpan message) const {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1) {
    return internal::OsslError("EVP_DigestSignInit");
  }
  Bytes sig(64);
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 ||
      len != 64) {
    return internal::OsslError("Ed25519 signing failed");
  }
  return sig;
}

}  // namespace vouch
