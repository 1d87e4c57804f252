#include "vouch/crypto/rsa.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "crypto/ossl_ptr.h"

namespace vouch {

struct RsaPublicKey::Impl {
  internal::EvpPkeyPtr pkey;
};
struct RsaPrivateKey::Impl {
  internal::EvpPkeyPtr pkey;
};

namespace internal {

using BnCtxPtr = OsslPtr<BN_CTX, BN_CTX_free>;

// Big-endian n and e of an RSA EVP_PKEY.
StatusOr<std::pair<Bytes, Bytes>> RsaModulusAndExponent(EVP_PKEY* pkey) {
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw) != 1 ||
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw) != 1) {
    BN_free(n_raw);
    BN_free(e_raw);
    return OsslError("cannot read the RSA public key");
  }
  BnPtr n(n_raw);
  BnPtr e(e_raw);
  Bytes modulus(static_cast<size_t>(BN_num_bytes(n.get())));
  Bytes exponent(static_cast<size_t>(BN_num_bytes(e.get())));
  BN_bn2bin(n.get(), modulus.data());
  BN_bn2bin(e.get(), exponent.data());
  return std::make_pair(std::move(modulus), std::move(exponent));
}

struct RsaKeyAccess {
  // Wraps a public-only RSA EVP_PKEY.
  static StatusOr<RsaPublicKey> WrapPublic(EvpPkeyPtr pkey) {
    VOUCH_ASSIGN_OR_RETURN(auto ne, RsaModulusAndExponent(pkey.get()));
    size_t bits = static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()));
    auto impl = std::make_shared<RsaPublicKey::Impl>();
    impl->pkey = std::move(pkey);
    return RsaPublicKey(std::move(impl), std::move(ne.first), std::move(ne.second), bits);
  }

  static StatusOr<RsaPrivateKey> WrapPrivate(EvpPkeyPtr pkey) {
    if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) {
      ClearOsslErrors();
      return InvalidArgumentError("key is not an RSA key");
    }
    // The public half gets its own public-only EVP_PKEY, so it never holds private material.
    VOUCH_ASSIGN_OR_RETURN(auto ne, RsaModulusAndExponent(pkey.get()));
    VOUCH_ASSIGN_OR_RETURN(RsaPublicKey pub,
                           RsaPublicKey::FromModulusAndExponent(ne.first, ne.second));
    auto impl = std::make_shared<RsaPrivateKey::Impl>();
    impl->pkey = std::move(pkey);
    return RsaPrivateKey(std::move(impl), std::move(pub));
  }
};

}  // namespace internal

namespace {

using internal::BnPtr;
using internal::ClearOsslErrors;
using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;
using internal::OsslError;
using internal::OsslErrorWithCode;

constexpr size_t kMinModulusBits = 1024;
constexpr size_t kMaxModulusBits = 16384;

// Sets PKCS#1 v1.5 padding with SHA-256 on a sign or verify context.
bool SetPkcs1Sha256(EVP_PKEY_CTX* ctx) {
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1;
}

// Refuses to prompt for a passphrase: an encrypted key simply fails to load.
int NoPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

StatusOr<RsaPublicKey> RsaPublicKey::FromModulusAndExponent(ByteSpan modulus_be,
                                                            ByteSpan exponent_be) {
  if (modulus_be.size() > kMaxModulusBits / 8 + 1 || exponent_be.size() > 64) {
    return InvalidArgumentError("RSA modulus or exponent too long");
  }
  BnPtr n(BN_bin2bn(modulus_be.data(), static_cast<int>(modulus_be.size()), nullptr));
  BnPtr e(BN_bin2bn(exponent_be.data(), static_cast<int>(exponent_be.size()), nullptr));
  if (!n || !e) return OsslError("BN_bin2bn");
  size_t bits = static_cast<size_t>(BN_num_bits(n.get()));
  if (bits < kMinModulusBits || bits > kMaxModulusBits) {
    return InvalidArgumentError("RSA modulus of " + std::to_string(bits) +
                                " bits is outside 1024..16384");
  }
  if (!BN_is_odd(n.get())) return InvalidArgumentError("RSA modulus is even");
  if (!BN_is_odd(e.get()) || BN_num_bits(e.get()) < 2) {
    return InvalidArgumentError("RSA public exponent must be odd and at least 3");
  }
  internal::OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OsslError("cannot build RSA parameters");
  }
  internal::OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "invalid RSA public key");
  }
  return internal::RsaKeyAccess::WrapPublic(EvpPkeyPtr(raw));
}

Status RsaPublicKey::VerifyPkcs1Sha256(ByteSpan message, ByteSpan signature_be) const {
  return VerifyPkcs1Sha256Digest(Sha256(message), signature_be);
}

Status RsaPublicKey::VerifyPkcs1Sha256Digest(const Sha256Digest& digest,
                                             ByteSpan signature_be) const {
  if (signature_be.size() != size()) {
    return InvalidArgumentError("RSA signature must be " + std::to_string(size()) + " bytes, got " +
                                std::to_string(signature_be.size()));
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || !SetPkcs1Sha256(ctx.get())) {
    return OsslError("RSA verify init");
  }
  // EVP_PKEY_verify rebuilds the DER DigestInfo for SHA-256 and compares the whole encoded
  // message, so any other hash, parameters or padding is a mismatch.
  if (EVP_PKEY_verify(ctx.get(), signature_be.data(), signature_be.size(), digest.data(),
                      digest.size()) == 1) {
    return OkStatus();
  }
  ClearOsslErrors();
  return RejectedError("signature_invalid", "RSA PKCS#1 v1.5 SHA-256 signature does not verify");
}

StatusOr<RsaPrivateKey> RsaPrivateKey::Generate(size_t bits, uint32_t public_exponent) {
  if (bits < kMinModulusBits || bits > kMaxModulusBits || public_exponent < 3 ||
      public_exponent % 2 == 0) {
    return InvalidArgumentError("unsupported RSA key size or exponent");
  }
  BnPtr e(BN_new());
  if (!e || BN_set_word(e.get(), public_exponent) != 1) return OsslError("BN_set_word");
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return OsslError("RSA key generation failed");
  }
  return internal::RsaKeyAccess::WrapPrivate(EvpPkeyPtr(raw));
}

StatusOr<RsaPrivateKey> RsaPrivateKey::FromPem(std::string_view pem) {
  if (pem.size() > (size_t{1} << 20)) return InvalidArgumentError("PEM key too large");
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OsslError("BIO_new_mem_buf");
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!pkey) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "not an unencrypted PEM private key");
  }
  size_t bits = static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()));
  if (EVP_PKEY_get_base_id(pkey.get()) == EVP_PKEY_RSA &&
      (bits < kMinModulusBits || bits > kMaxModulusBits)) {
    return InvalidArgumentError("RSA key of " + std::to_string(bits) +
                                " bits is outside 1024..16384");
  }
  return internal::RsaKeyAccess::WrapPrivate(std::move(pkey));
}

StatusOr<SecretBytes> RsaPrivateKey::ToPkcs8Pem() const {
  // A secure-heap memory BIO, so the PEM text is cleansed when the BIO is freed.
  internal::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                            nullptr, nullptr) != 1) {
    return OsslError("cannot write the RSA private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return OsslError("empty PEM output");
  return SecretBytes(ByteSpan(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len)));
}

StatusOr<Bytes> RsaPrivateKey::SignPkcs1Sha256(ByteSpan message) const {
  return SignPkcs1Sha256Digest(Sha256(message));
}

StatusOr<Bytes> RsaPrivateKey::SignPkcs1Sha256Digest(const Sha256Digest& digest) const {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || !SetPkcs1Sha256(ctx.get()) ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
    return OsslError("RSA sign init");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
    return OsslError("RSA sign");
  }
  sig.resize(len);
  // Left-pad to the modulus length (OpenSSL already does; keep the contract explicit).
  size_t want = public_key_.size();
  if (sig.size() < want) sig.insert(sig.begin(), want - sig.size(), 0);
  return sig;
}

StatusOr<RsaSignatureQuotients> ComputeRsaSignatureQuotients(ByteSpan signature_be,
                                                             ByteSpan modulus_be) {
  if (modulus_be.empty() || modulus_be.size() > kMaxModulusBits / 8 + 1 ||
      signature_be.size() > modulus_be.size()) {
    return InvalidArgumentError("signature longer than the modulus");
  }
  BnPtr s(BN_bin2bn(signature_be.data(), static_cast<int>(signature_be.size()), nullptr));
  BnPtr n(BN_bin2bn(modulus_be.data(), static_cast<int>(modulus_be.size()), nullptr));
  internal::BnCtxPtr bn_ctx(BN_CTX_new());
  BnPtr s2(BN_new()), q1(BN_new()), rem(BN_new()), t(BN_new()), q2(BN_new()), unused(BN_new());
  if (!s || !n || !bn_ctx || !s2 || !q1 || !rem || !t || !q2 || !unused) {
    return OsslError("BN allocation");
  }
  if (BN_is_zero(n.get())) return InvalidArgumentError("zero modulus");
  if (BN_cmp(s.get(), n.get()) >= 0) return InvalidArgumentError("signature not below modulus");
  // q1 = floor(s² / n), rem = s² mod n; q2 = floor(rem·s / n), which equals
  // floor((s³ − q1·s·n) / n) since s³ − q1·s·n = rem·s.
  if (BN_sqr(s2.get(), s.get(), bn_ctx.get()) != 1 ||
      BN_div(q1.get(), rem.get(), s2.get(), n.get(), bn_ctx.get()) != 1 ||
      BN_mul(t.get(), rem.get(), s.get(), bn_ctx.get()) != 1 ||
      BN_div(q2.get(), unused.get(), t.get(), n.get(), bn_ctx.get()) != 1) {
    return OsslError("BN arithmetic");
  }
  RsaSignatureQuotients out;
  out.q1.resize(modulus_be.size());
  out.q2.resize(modulus_be.size());
  if (BN_bn2binpad(q1.get(), out.q1.data(), static_cast<int>(out.q1.size())) < 0 ||
      BN_bn2binpad(q2.get(), out.q2.data(), static_cast<int>(out.q2.size())) < 0) {
    return OsslError("BN_bn2binpad");
  }
  return out;
}

}  // namespace vouch
