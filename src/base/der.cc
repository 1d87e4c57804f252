#include "vouch/base/der.h"

namespace vouch {

Status DerReader::ReadAny(uint8_t* tag, ByteSpan* value, const std::string& what) {
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError("DER " + what + ": " + why + " at offset " +
                                std::to_string(offset_));
  };
  if (data_.size() - offset_ < 2) return fail("truncated element");
  uint8_t t = data_[offset_];
  if ((t & 0x1f) == 0x1f) return fail("multi-byte tags are not used here");
  size_t pos = offset_ + 1;
  size_t len = data_[pos++];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0) return fail("indefinite length is not DER");
    if (n > 4) return fail("length too large");
    if (data_.size() - pos < n) return fail("truncated length");
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | data_[pos++];
    // Minimal: long form only for >= 128, and no leading zero octet.
    if (len < 128 || (n > 1 && data_[pos - n] == 0)) return fail("non-minimal length");
  }
  if (data_.size() - pos < len) return fail("element longer than its container");
  *tag = t;
  *value = data_.subspan(pos, len);
  offset_ = pos + len;
  return OkStatus();
}

Status DerReader::Read(uint8_t tag, ByteSpan* value, const std::string& what) {
  size_t start = offset_;
  uint8_t actual = 0;
  VOUCH_RETURN_IF_ERROR(ReadAny(&actual, value, what));
  if (actual != tag) {
    offset_ = start;
    return InvalidArgumentError("DER " + what + ": expected tag " + std::to_string(tag) +
                                ", found " + std::to_string(actual));
  }
  return OkStatus();
}

Status DerReader::ReadWhole(uint8_t tag, ByteSpan* whole, ByteSpan* value,
                            const std::string& what) {
  size_t start = offset_;
  VOUCH_RETURN_IF_ERROR(Read(tag, value, what));
  *whole = data_.subspan(start, offset_ - start);
  return OkStatus();
}

StatusOr<uint64_t> DerUnsigned(ByteSpan v, uint64_t max, const std::string& what) {
  if (v.empty()) return InvalidArgumentError(what + ": empty INTEGER");
  if (v[0] & 0x80) return InvalidArgumentError(what + ": negative INTEGER");
  if (v.size() > 1 && v[0] == 0 && !(v[1] & 0x80)) {
    return InvalidArgumentError(what + ": non-minimal INTEGER");
  }
  if (v.size() > 9 || (v.size() == 9 && v[0] != 0)) {
    return InvalidArgumentError(what + ": INTEGER too large");
  }
  uint64_t out = 0;
  for (uint8_t b : v) out = (out << 8) | b;
  if (out > max) {
    return InvalidArgumentError(what + ": value " + std::to_string(out) + " exceeds " +
                                std::to_string(max));
  }
  return out;
}

StatusOr<std::string> DerOidText(ByteSpan v) {
  if (v.empty()) return InvalidArgumentError("empty OBJECT IDENTIFIER");
  std::string out;
  uint64_t acc = 0;
  bool first = true;
  for (size_t i = 0; i < v.size(); ++i) {
    if (acc == 0 && v[i] == 0x80) return InvalidArgumentError("non-minimal OID arc");
    if (acc > (uint64_t{1} << 56)) return InvalidArgumentError("OID arc too large");
    acc = (acc << 7) | (v[i] & 0x7f);
    if (v[i] & 0x80) {
      if (i + 1 == v.size()) return InvalidArgumentError("truncated OID arc");
      continue;
    }
    if (first) {
      uint64_t a = acc < 40 ? 0 : (acc < 80 ? 1 : 2);
      out = std::to_string(a) + "." + std::to_string(acc - 40 * a);
      first = false;
    } else {
      out += "." + std::to_string(acc);
    }
    acc = 0;
  }
  return out;
}

}  // namespace vouch
