// A minimal, strict DER reader (ITU-T X.690 §10) for X.509 certificates and the SGX PCK
// extension: single-byte tags, definite minimal lengths, no indefinite forms.
//
// Thread-compatible; borrows the input.
#ifndef VOUCH_BASE_DER_H_
#define VOUCH_BASE_DER_H_

#include <cstdint>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

inline constexpr uint8_t kDerTagInteger = 0x02;
inline constexpr uint8_t kDerTagOctetString = 0x04;
inline constexpr uint8_t kDerTagOid = 0x06;
inline constexpr uint8_t kDerTagEnumerated = 0x0a;
inline constexpr uint8_t kDerTagBoolean = 0x01;
inline constexpr uint8_t kDerTagSequence = 0x30;
inline constexpr uint8_t kDerTagSet = 0x31;
inline constexpr uint8_t kDerTagBitString = 0x03;
inline constexpr uint8_t kDerTagNull = 0x05;
inline constexpr uint8_t kDerTagUtcTime = 0x17;
inline constexpr uint8_t kDerTagGeneralizedTime = 0x18;
// Context-specific constructed tags [n].
inline constexpr uint8_t DerContextTag(int n) { return static_cast<uint8_t>(0xa0 | n); }

class DerReader {
 public:
  explicit DerReader(ByteSpan data) : data_(data) {}
  bool empty() const { return offset_ == data_.size(); }

  // Reads one element with tag `tag`; `value` views its contents.
  Status Read(uint8_t tag, ByteSpan* value, const std::string& what);
  // Reads any element, returning its tag.
  Status ReadAny(uint8_t* tag, ByteSpan* value, const std::string& what);
  // Like Read, and `whole` views the element including its tag and length.
  Status ReadWhole(uint8_t tag, ByteSpan* whole, ByteSpan* value, const std::string& what);
  // The next element's tag, or 0 at the end.
  uint8_t PeekTag() const { return empty() ? 0 : data_[offset_]; }

 private:
  ByteSpan data_;
  size_t offset_ = 0;
};

// A non-negative INTEGER's value, rejecting negatives, non-minimal encodings and values
// above `max`.
StatusOr<uint64_t> DerUnsigned(ByteSpan integer_contents, uint64_t max, const std::string& what);
// Dotted text of an OBJECT IDENTIFIER's contents ("1.2.840.113741.1.13.1.2").
StatusOr<std::string> DerOidText(ByteSpan oid_contents);

}  // namespace vouch

#endif  // VOUCH_BASE_DER_H_
