#include "vouch/crypto/x25519.h"

#include "crypto/ossl_ptr.h"
#include "vouch/crypto/random.h"

namespace vouch {

struct X25519PrivateKey::Impl {
  internal::EvpPkeyPtr pkey;
};

StatusOr<X25519PrivateKey> X25519PrivateKey::Generate() {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes raw, RandomSecret(32));
  return FromBytes(raw.Reveal());
}

StatusOr<X25519PrivateKey> X25519PrivateKey::FromBytes(ByteSpan raw32) {
  if (raw32.size() != 32) return InvalidArgumentError("X25519 private key must be 32 bytes");
  internal::EvpPkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, raw32.data(), raw32.size()));
  std::array<uint8_t, 32> pub{};
  size_t len = pub.size();
  if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1) {
    return internal::OsslError("cannot load X25519 key");
  }
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return X25519PrivateKey(std::move(impl), SecretBytes(raw32), pub);
}

StatusOr<SecretBytes> X25519PrivateKey::Agree(ByteSpan peer_public) const {
  if (peer_public.size() != 32) return InvalidArgumentError("X25519 public key must be 32 bytes");
  internal::EvpPkeyPtr peer(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public.data(), 32));
  if (!peer) return internal::OsslError("cannot load the X25519 peer key");
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  if (!ctx) return internal::OsslError("cannot make an X25519 context");
  SecretBytes shared(32);
  size_t len = shared.size();
  if (EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), shared.mutable_data(), &len) != 1 || len != 32) {
    internal::ClearOsslErrors();
    return InvalidArgumentError("X25519 agreement failed (low-order or invalid peer key)");
  }
  static constexpr uint8_t kZero[32] = {};
  if (ConstantTimeEquals(shared.Reveal(), kZero)) {
    return InvalidArgumentError("X25519 agreement produced the all-zero secret");
  }
  return shared;
}

}  // namespace vouch
