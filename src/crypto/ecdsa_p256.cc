#include "vouch/crypto/ecdsa_p256.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/x509.h>

#include "crypto/ecdsa_internal.h"
#include "crypto/ossl_ptr.h"

namespace vouch {

namespace {

using internal::ClearOsslErrors;
using internal::OsslError;
using internal::OsslErrorWithCode;

constexpr char kCurveName[] = "prime256v1";

Status InvalidSignature() {
  ClearOsslErrors();
  return RejectedError("signature_invalid", "ECDSA P-256 signature does not verify");
}

// Reads the uncompressed public point of an EC key, checking that it is on P-256.
StatusOr<std::array<uint8_t, 65>> PublicPointOf(EVP_PKEY* pkey) {
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &group_len) != 1 ||
      std::string_view(group, group_len) != kCurveName) {
    ClearOsslErrors();
    return InvalidArgumentError("key is not an ECDSA P-256 key");
  }
  std::array<uint8_t, 65> point{};
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                      point.size(), &len) != 1 ||
      len != 65 || point[0] != 0x04) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "cannot read the P-256 public point");
  }
  return point;
}

// An EVP_PKEY holding only the P-256 domain parameters, one per thread. New public keys copy
// the parameters from it: building the group from its name on every key (EVP_PKEY_fromdata)
// cost more than a third of an ECDSA verification.
StatusOr<EVP_PKEY*> ParameterTemplate() {
  thread_local internal::EvpPkeyPtr tmpl;
  if (!tmpl) {
    char curve[] = "prime256v1";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, curve, 0),
                           OSSL_PARAM_construct_end()};
    internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
      return OsslError("cannot build the P-256 parameters");
    }
    tmpl.reset(raw);
  }
  return tmpl.get();
}

// Rejects points that are not on the curve (EVP_PKEY_set1_encoded_public_key decodes and checks
// the point).
StatusOr<internal::EvpPkeyPtr> PkeyFromPoint(const std::array<uint8_t, 65>& point) {
  VOUCH_ASSIGN_OR_RETURN(EVP_PKEY * tmpl, ParameterTemplate());
  internal::EvpPkeyPtr pkey(EVP_PKEY_new());
  if (!pkey || EVP_PKEY_copy_parameters(pkey.get(), tmpl) != 1) {
    return OsslError("cannot copy the P-256 parameters");
  }
  if (EVP_PKEY_set1_encoded_public_key(pkey.get(), point.data(), point.size()) != 1) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "invalid P-256 public point");
  }
  return pkey;
}

Status VerifyDigestDer(EVP_PKEY* pkey, const Sha256Digest& digest, ByteSpan der) {
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return OsslError("EVP_PKEY_verify_init");
  int rc = EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest.data(), digest.size());
  if (rc == 1) return OkStatus();
  return InvalidSignature();
}

StatusOr<Bytes> SignDigestDer(EVP_PKEY* pkey, const Sha256Digest& digest) {
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
    return OsslError("EVP_PKEY_sign_init");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
    return OsslError("EVP_PKEY_sign");
  }
  sig.resize(len);
  return sig;
}

}  // namespace

namespace internal {

StatusOr<EcdsaP256PublicKey> EcdsaKeyAccess::WrapPublic(EVP_PKEY* pkey) {
  VOUCH_ASSIGN_OR_RETURN(auto point, PublicPointOf(pkey));
  auto impl = std::make_shared<EcdsaP256PublicKey::Impl>();
  EVP_PKEY_up_ref(pkey);
  impl->pkey.reset(pkey);
  return EcdsaP256PublicKey(std::move(impl), point);
}

EVP_PKEY* EcdsaKeyAccess::Pkey(const EcdsaP256PublicKey& key) { return key.impl_->pkey.get(); }
EVP_PKEY* EcdsaKeyAccess::Pkey(const EcdsaP256PrivateKey& key) { return key.impl_->pkey.get(); }

}  // namespace internal

StatusOr<Bytes> EcdsaRawToDer(ByteSpan raw) {
  if (raw.size() != 64) {
    return InvalidArgumentError("raw ECDSA P-256 signature must be 64 bytes, got " +
                                std::to_string(raw.size()));
  }
  internal::EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return OsslError("cannot build ECDSA_SIG");
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OsslError("i2d_ECDSA_SIG");
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

StatusOr<Bytes> EcdsaDerToRaw(ByteSpan der) {
  const uint8_t* p = der.data();
  internal::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "malformed DER ECDSA signature");
  }
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  Bytes raw(64);
  if (BN_bn2binpad(r, raw.data(), 32) != 32 || BN_bn2binpad(s, raw.data() + 32, 32) != 32) {
    return InvalidArgumentError("ECDSA signature component larger than 32 bytes");
  }
  return raw;
}

StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromPoint(ByteSpan point) {
  std::array<uint8_t, 65> full{};
  if (point.size() == 64) {
    full[0] = 0x04;
    std::copy(point.begin(), point.end(), full.begin() + 1);
  } else if (point.size() == 65 && point[0] == 0x04) {
    std::copy(point.begin(), point.end(), full.begin());
  } else {
    return InvalidArgumentError("P-256 public key must be 64 bytes X||Y or 65 bytes 04||X||Y");
  }
  VOUCH_ASSIGN_OR_RETURN(internal::EvpPkeyPtr pkey, PkeyFromPoint(full));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return EcdsaP256PublicKey(std::move(impl), full);
}

StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromSpki(ByteSpan spki_der) {
  const uint8_t* p = spki_der.data();
  internal::EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
  if (!pkey || p != spki_der.data() + spki_der.size()) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "malformed SubjectPublicKeyInfo");
  }
  VOUCH_ASSIGN_OR_RETURN(auto point, PublicPointOf(pkey.get()));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return EcdsaP256PublicKey(std::move(impl), point);
}

Status EcdsaP256PublicKey::VerifyRaw(ByteSpan message, ByteSpan signature) const {
  return VerifyRawDigest(Sha256(message), signature);
}

Status EcdsaP256PublicKey::VerifyRawDigest(const Sha256Digest& digest, ByteSpan signature) const {
  VOUCH_ASSIGN_OR_RETURN(Bytes der, EcdsaRawToDer(signature));
  return VerifyDigestDer(impl_->pkey.get(), digest, der);
}

Status EcdsaP256PublicKey::VerifyDer(ByteSpan message, ByteSpan signature) const {
  return VerifyDigestDer(impl_->pkey.get(), Sha256(message), signature);
}

Bytes EcdsaP256PublicKey::SpkiDer() const {
  int len = i2d_PUBKEY(impl_->pkey.get(), nullptr);
  if (len <= 0) return {};
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_PUBKEY(impl_->pkey.get(), &p);
  return der;
}

StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::Generate() {
  internal::EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kCurveName));
  if (!pkey) return OsslError("P-256 key generation failed");
  VOUCH_ASSIGN_OR_RETURN(auto point, PublicPointOf(pkey.get()));
  VOUCH_ASSIGN_OR_RETURN(auto public_key, EcdsaP256PublicKey::FromPoint(point));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return EcdsaP256PrivateKey(std::move(impl), std::move(public_key));
}

StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromPkcs8(ByteSpan der) {
  const uint8_t* p = der.data();
  internal::EvpPkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey || p != der.data() + der.size()) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "malformed PKCS#8 private key");
  }
  VOUCH_ASSIGN_OR_RETURN(auto point, PublicPointOf(pkey.get()));
  VOUCH_ASSIGN_OR_RETURN(auto public_key, EcdsaP256PublicKey::FromPoint(point));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return EcdsaP256PrivateKey(std::move(impl), std::move(public_key));
}

SecretBytes EcdsaP256PrivateKey::ToPkcs8() const {
  PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(impl_->pkey.get());
  if (info == nullptr) return SecretBytes();
  int len = i2d_PKCS8_PRIV_KEY_INFO(info, nullptr);
  SecretBytes der(len > 0 ? static_cast<size_t>(len) : 0);
  uint8_t* p = der.mutable_data();
  if (len > 0) i2d_PKCS8_PRIV_KEY_INFO(info, &p);
  PKCS8_PRIV_KEY_INFO_free(info);
  return der;
}

StatusOr<Bytes> EcdsaP256PrivateKey::SignDer(ByteSpan message) const {
  return SignDigestDer(impl_->pkey.get(), Sha256(message));
}

StatusOr<Bytes> EcdsaP256PrivateKey::SignRaw(ByteSpan message) const {
  VOUCH_ASSIGN_OR_RETURN(Bytes der, SignDer(message));
  return EcdsaDerToRaw(der);
}

}  // namespace vouch
