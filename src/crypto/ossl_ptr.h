// RAII owners for OpenSSL objects (tink's SslUniquePtr pattern) and a helper that drains the
// OpenSSL error queue into a Status. Internal to crypto/: nothing outside calls OpenSSL.
#ifndef VOUCH_CRYPTO_OSSL_PTR_H_
#define VOUCH_CRYPTO_OSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "vouch/base/status.h"

namespace vouch::internal {

template <typename T, void (*F)(T*)>
struct OsslDeleter {
  void operator()(T* p) const { F(p); }
};
template <typename T, void (*F)(T*)>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T, F>>;

inline void FreeBio(BIO* b) { BIO_free(b); }
inline void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void FreeX509CrlStack(STACK_OF(X509_CRL) * s) { sk_X509_CRL_pop_free(s, X509_CRL_free); }

using BioPtr = OsslPtr<BIO, FreeBio>;
using BnPtr = OsslPtr<BIGNUM, BN_free>;
using EcdsaSigPtr = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;
using EvpCipherCtxPtr = OsslPtr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpKdfCtxPtr = OsslPtr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using EvpKdfPtr = OsslPtr<EVP_KDF, EVP_KDF_free>;
using EvpMacCtxPtr = OsslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using EvpMdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpPkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using OsslParamBldPtr = OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using OsslParamPtr = OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using X509CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;
using X509ExtensionPtr = OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using X509NamePtr = OsslPtr<X509_NAME, X509_NAME_free>;
using X509Ptr = OsslPtr<X509, X509_free>;
using X509RevokedPtr = OsslPtr<X509_REVOKED, X509_REVOKED_free>;
using X509StoreCtxPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using Asn1IntegerPtr = OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetStringPtr = OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1ObjectPtr = OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1TimePtr = OsslPtr<ASN1_TIME, ASN1_TIME_free>;

// DER encoding through one of OpenSSL's i2d_* functions (size query, then encode); empty when
// OpenSSL cannot encode the object.
template <typename T>
std::vector<uint8_t> EncodeDer(int (*i2d)(const T*, unsigned char**), const T* object) {
  int len = i2d(object, nullptr);
  if (len <= 0) return {};
  std::vector<uint8_t> der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d(object, &p);
  return der;
}

// Returns kInternal with `what` and the drained OpenSSL error queue.
Status OsslError(const std::string& what);
// Like OsslError but with a caller-chosen code (e.g. kInvalidArgument for unparseable input).
Status OsslErrorWithCode(StatusCode code, const std::string& what);
// Empties the error queue (after an expected failure such as a bad signature).
void ClearOsslErrors();

}  // namespace vouch::internal

#endif  // VOUCH_CRYPTO_OSSL_PTR_H_
