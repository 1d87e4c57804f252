// crypto/-internal access to the OpenSSL keys behind EcdsaP256PublicKey/PrivateKey, so that
// x509.cc can share a certificate's EVP_PKEY instead of re-parsing it.
#ifndef VOUCH_CRYPTO_ECDSA_INTERNAL_H_
#define VOUCH_CRYPTO_ECDSA_INTERNAL_H_

#include "crypto/ossl_ptr.h"
#include "vouch/crypto/ecdsa_p256.h"

namespace vouch {

struct EcdsaP256PublicKey::Impl {
  internal::EvpPkeyPtr pkey;
};
struct EcdsaP256PrivateKey::Impl {
  internal::EvpPkeyPtr pkey;
};

namespace internal {

struct EcdsaKeyAccess {
  // Shares `pkey` (up-ref); fails unless it is a P-256 key.
  static StatusOr<EcdsaP256PublicKey> WrapPublic(EVP_PKEY* pkey);
  static EVP_PKEY* Pkey(const EcdsaP256PublicKey& key);
  static EVP_PKEY* Pkey(const EcdsaP256PrivateKey& key);
};

}  // namespace internal
}  // namespace vouch

#endif  // VOUCH_CRYPTO_ECDSA_INTERNAL_H_
