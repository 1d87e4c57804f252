// Minimal DER encoding helpers (ITU-T X.690 §10), the inverse of der.h, for building
// certificate extensions. Each returns a complete TLV.
#ifndef VOUCH_BASE_DER_WRITER_H_
#define VOUCH_BASE_DER_WRITER_H_

#include <initializer_list>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

Bytes DerTlv(uint8_t tag, ByteSpan contents);
Bytes DerSequence(std::initializer_list<ByteSpan> elements);
Bytes DerUnsignedInteger(uint64_t value);
Bytes DerOctetString(ByteSpan contents);
Bytes DerEnumerated(uint64_t value);
// REQUIRES: `dotted` is a valid OID ("1.2.840.113741.1.13.1"); returns kInvalidArgument if not.
StatusOr<Bytes> DerOid(std::string_view dotted);

}  // namespace vouch

#endif  // VOUCH_BASE_DER_WRITER_H_
