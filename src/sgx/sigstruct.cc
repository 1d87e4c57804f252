#include "vouch/sgx/sigstruct.h"

#include <algorithm>

#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx {
namespace {

constexpr std::array<uint8_t, 16> kHeader = {0x06, 0x00, 0x00, 0x00, 0xe1, 0x00, 0x00, 0x00,
                                             0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
constexpr std::array<uint8_t, 16> kHeader2 = {0x01, 0x01, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
                                              0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};

// Offsets of Intel SDM Vol. 3D, table "Layout of Enclave Signature Structure (SIGSTRUCT)".
constexpr size_t kOffVendor = 16;
constexpr size_t kOffDate = 20;
constexpr size_t kOffHeader2 = 24;
constexpr size_t kOffSwDefined = 40;
constexpr size_t kOffModulus = 128;
constexpr size_t kOffExponent = 512;
constexpr size_t kOffSignature = 516;
constexpr size_t kOffMiscSelect = 900;
constexpr size_t kOffMiscMask = 904;
constexpr size_t kOffIsvFamilyId = 912;
constexpr size_t kOffAttributes = 928;
constexpr size_t kOffAttributeMask = 944;
constexpr size_t kOffEnclaveHash = 960;
constexpr size_t kOffIsvExtProdId = 1008;
constexpr size_t kOffIsvProdId = 1024;
constexpr size_t kOffIsvSvn = 1026;
constexpr size_t kOffQ1 = 1040;
constexpr size_t kOffQ2 = 1424;
// The signed regions: the header [0, 128) and the body [900, 1028).
constexpr size_t kHeaderRegionSize = 128;
constexpr size_t kBodyRegionOffset = 900;
constexpr size_t kBodyRegionSize = 128;

static_assert(kOffQ2 + kSigstructModulusSize == kSigstructSize);
static_assert(kOffIsvSvn + 2 <= kBodyRegionOffset + kBodyRegionSize);

Status Malformed(const std::string& message) {
  return MalformedError(reasons::kSigstructMalformed, "SIGSTRUCT: " + message);
}

template <size_t N>
void PutArray(Bytes& out, size_t off, const std::array<uint8_t, N>& a) {
  std::copy(a.begin(), a.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
}
template <size_t N>
std::array<uint8_t, N> GetArray(ByteSpan in, size_t off) {
  std::array<uint8_t, N> a{};
  std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(off), N, a.begin());
  return a;
}
// Little-endian `n` bytes at `off` → big-endian, and back.
Bytes Reversed(ByteSpan in, size_t off, size_t n) {
  Bytes out(in.begin() + static_cast<std::ptrdiff_t>(off),
            in.begin() + static_cast<std::ptrdiff_t>(off + n));
  std::reverse(out.begin(), out.end());
  return out;
}
void PutReversed(Bytes& out, size_t off, ByteSpan big_endian, size_t width) {
  // Right-align `big_endian` in `width` bytes, then store little-endian.
  Bytes padded(width, 0);
  std::copy(big_endian.begin(), big_endian.end(),
            padded.begin() + static_cast<std::ptrdiff_t>(width - big_endian.size()));
  std::reverse_copy(padded.begin(), padded.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
}

Sha256Digest SignedDigest(ByteSpan sigstruct) {
  Sha256Hasher h;
  h.Update(sigstruct.first(kHeaderRegionSize));
  h.Update(sigstruct.subspan(kBodyRegionOffset, kBodyRegionSize));
  return h.Finish();
}

}  // namespace

uint64_t SigstructBody::attribute_flags() const { return LoadU64Le(attributes.data()); }

StatusOr<uint32_t> SigstructDate(int year, int month, int day) {
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) {
    return InvalidArgumentError("SIGSTRUCT date out of range");
  }
  auto bcd = [](int v, int digits) {
    uint32_t out = 0;
    for (int i = 0; i < digits; ++i) {
      out |= static_cast<uint32_t>(v % 10) << (4 * i);
      v /= 10;
    }
    return out;
  };
  return (bcd(year, 4) << 16) | (bcd(month, 2) << 8) | bcd(day, 2);
}

StatusOr<std::array<uint8_t, 32>> MrSignerOf(const RsaPublicKey& key) {
  const Bytes& n = key.modulus();
  if (n.size() > kSigstructModulusSize) {
    return InvalidArgumentError("RSA modulus longer than 3072 bits");
  }
  Bytes le(kSigstructModulusSize, 0);
  std::reverse_copy(n.begin(), n.end(), le.begin());
  return Sha256(le);
}

StatusOr<Sigstruct> Sigstruct::Parse(ByteSpan in) {
  if (in.size() != kSigstructSize) {
    return Malformed("expected " + std::to_string(kSigstructSize) + " bytes, got " +
                     std::to_string(in.size()));
  }
  if (!EqualBytes(kHeader, in.first(16))) return Malformed("HEADER is not 06000000E1000000...");
  if (!EqualBytes(kHeader2, in.subspan(kOffHeader2, 16))) {
    return Malformed("HEADER2 is not 0101000060000000...");
  }
  Sigstruct s;
  SigstructBody& b = s.body_;
  b.vendor = LoadU32Le(in.data() + kOffVendor);
  if (b.vendor != 0 && b.vendor != 0x8086) {
    return Malformed("VENDOR must be 0 or 0x8086, got " + std::to_string(b.vendor));
  }
  b.date = LoadU32Le(in.data() + kOffDate);
  b.sw_defined = LoadU32Le(in.data() + kOffSwDefined);
  b.misc_select = LoadU32Le(in.data() + kOffMiscSelect);
  b.misc_mask = LoadU32Le(in.data() + kOffMiscMask);
  b.isv_family_id = GetArray<16>(in, kOffIsvFamilyId);
  b.attributes = GetArray<16>(in, kOffAttributes);
  b.attribute_mask = GetArray<16>(in, kOffAttributeMask);
  b.enclave_hash = GetArray<32>(in, kOffEnclaveHash);
  b.isv_ext_prod_id = GetArray<16>(in, kOffIsvExtProdId);
  b.isv_prod_id = LoadU16Le(in.data() + kOffIsvProdId);
  b.isv_svn = LoadU16Le(in.data() + kOffIsvSvn);

  uint32_t exponent = LoadU32Le(in.data() + kOffExponent);
  if (exponent != 3) {
    return Malformed("EXPONENT must be 3, got " + std::to_string(exponent));
  }
  s.modulus_le_ = GetArray<kSigstructModulusSize>(in, kOffModulus);
  if ((s.modulus_le_[kSigstructModulusSize - 1] & 0x80) == 0) {
    return Malformed("MODULUS is not a 3072-bit number");
  }
  Bytes modulus_be = Reversed(in, kOffModulus, kSigstructModulusSize);
  auto key = RsaPublicKey::FromModulusAndExponent(modulus_be, Bytes{3});
  if (!key.ok()) return Malformed("MODULUS: " + key.status().message());
  Bytes signature_be = Reversed(in, kOffSignature, kSigstructModulusSize);
  Status verified = key->VerifyPkcs1Sha256Digest(SignedDigest(in), signature_be);
  if (!verified.ok()) {
    return RejectedError(reasons::kSigstructSignatureInvalid,
                         "SIGSTRUCT signature does not verify with its own modulus over the "
                         "signed header and body bytes");
  }
  auto q = ComputeRsaSignatureQuotients(signature_be, modulus_be);
  if (!q.ok()) return q.status();
  if (!EqualBytes(q->q1, Reversed(in, kOffQ1, kSigstructModulusSize)) ||
      !EqualBytes(q->q2, Reversed(in, kOffQ2, kSigstructModulusSize))) {
    return RejectedError(reasons::kSigstructQuotientsInvalid,
                         "SIGSTRUCT Q1/Q2 do not match its signature (EINIT would refuse it)");
  }
  s.mr_signer_ = Sha256(s.modulus_le_);
  s.bytes_ = ToBytes(in);
  return s;
}

StatusOr<Bytes> SignSigstruct(const SigstructBody& b, const RsaPrivateKey& key) {
  const RsaPublicKey& pub = key.public_key();
  if (pub.modulus_bits() != 3072 || pub.exponent() != Bytes{3}) {
    return InvalidArgumentError("SGX requires an RSA-3072 key with public exponent 3, got " +
                                std::to_string(pub.modulus_bits()) + " bits");
  }
  if (b.vendor != 0 && b.vendor != 0x8086) {
    return InvalidArgumentError("SIGSTRUCT vendor must be 0 or 0x8086");
  }
  Bytes out(kSigstructSize, 0);
  PutArray(out, 0, kHeader);
  StoreU32Le(out.data() + kOffVendor, b.vendor);
  StoreU32Le(out.data() + kOffDate, b.date);
  PutArray(out, kOffHeader2, kHeader2);
  StoreU32Le(out.data() + kOffSwDefined, b.sw_defined);
  PutReversed(out, kOffModulus, pub.modulus(), kSigstructModulusSize);
  StoreU32Le(out.data() + kOffExponent, 3);
  StoreU32Le(out.data() + kOffMiscSelect, b.misc_select);
  StoreU32Le(out.data() + kOffMiscMask, b.misc_mask);
  PutArray(out, kOffIsvFamilyId, b.isv_family_id);
  PutArray(out, kOffAttributes, b.attributes);
  PutArray(out, kOffAttributeMask, b.attribute_mask);
  PutArray(out, kOffEnclaveHash, b.enclave_hash);
  PutArray(out, kOffIsvExtProdId, b.isv_ext_prod_id);
  StoreU16Le(out.data() + kOffIsvProdId, b.isv_prod_id);
  StoreU16Le(out.data() + kOffIsvSvn, b.isv_svn);

  VOUCH_ASSIGN_OR_RETURN(Bytes signature_be, key.SignPkcs1Sha256Digest(SignedDigest(out)));
  VOUCH_ASSIGN_OR_RETURN(auto q, ComputeRsaSignatureQuotients(signature_be, pub.modulus()));
  PutReversed(out, kOffSignature, signature_be, kSigstructModulusSize);
  PutReversed(out, kOffQ1, q.q1, kSigstructModulusSize);
  PutReversed(out, kOffQ2, q.q2, kSigstructModulusSize);
  return out;
}

}  // namespace vouch::sgx
