// A minimal, strict DER reader (ITU-T X.690 §10) for the SGX PCK certificate extension: single
// byte tags, definite minimal lengths, no indefinite forms. Internal to sgx/.
//
// Thread-compatible; borrows the input.
#ifndef VOUCH_SGX_DER_H_
#define VOUCH_SGX_DER_H_

#include <cstdint>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::sgx::internal {

inline constexpr uint8_t kTagInteger = 0x02;
inline constexpr uint8_t kTagOctetString = 0x04;
inline constexpr uint8_t kTagOid = 0x06;
inline constexpr uint8_t kTagEnumerated = 0x0a;
inline constexpr uint8_t kTagBoolean = 0x01;
inline constexpr uint8_t kTagSequence = 0x30;

class DerReader {
 public:
  explicit DerReader(ByteSpan data) : data_(data) {}
  bool empty() const { return offset_ == data_.size(); }

  // Reads one element with tag `tag`; `value` views its contents.
  Status Read(uint8_t tag, ByteSpan* value, const std::string& what);
  // Reads any element, returning its tag.
  Status ReadAny(uint8_t* tag, ByteSpan* value, const std::string& what);

 private:
  ByteSpan data_;
  size_t offset_ = 0;
};

// A non-negative INTEGER's value, rejecting negatives, non-minimal encodings and values
// above `max`.
StatusOr<uint64_t> DerUnsigned(ByteSpan integer_contents, uint64_t max, const std::string& what);
// Dotted text of an OBJECT IDENTIFIER's contents ("1.2.840.113741.1.13.1.2").
StatusOr<std::string> DerOidText(ByteSpan oid_contents);

}  // namespace vouch::sgx::internal

#endif  // VOUCH_SGX_DER_H_
