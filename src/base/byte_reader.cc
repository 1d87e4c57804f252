#include "vouch/base/byte_reader.h"

#include <string>

namespace vouch {

Status ByteReader::Need(size_t n, std::string_view what) const {
  if (n > remaining()) {
    return InvalidArgumentError("truncated input reading " + std::string(what) + ": need " +
                                std::to_string(n) + " bytes at offset " + std::to_string(offset_) +
                                ", " + std::to_string(remaining()) + " left");
  }
  return OkStatus();
}

namespace {

uint8_t LoadU8(const uint8_t* p) { return *p; }

// One fixed-size integer read with `load`: ReadBytes checks the bounds (and words the error)
// and advances.
template <typename T, T (*load)(const uint8_t*)>
Status ReadInteger(ByteReader& reader, T* out, std::string_view what) {
  ByteSpan bytes;
  VOUCH_RETURN_IF_ERROR(reader.ReadBytes(sizeof(T), &bytes, what));
  *out = load(bytes.data());
  return OkStatus();
}

}  // namespace

Status ByteReader::ReadU8(uint8_t* out, std::string_view what) {
  return ReadInteger<uint8_t, LoadU8>(*this, out, what);
}

Status ByteReader::ReadU16Le(uint16_t* out, std::string_view what) {
  return ReadInteger<uint16_t, LoadU16Le>(*this, out, what);
}

Status ByteReader::ReadU32Le(uint32_t* out, std::string_view what) {
  return ReadInteger<uint32_t, LoadU32Le>(*this, out, what);
}

Status ByteReader::ReadU64Le(uint64_t* out, std::string_view what) {
  return ReadInteger<uint64_t, LoadU64Le>(*this, out, what);
}

Status ByteReader::ReadBytes(size_t n, ByteSpan* out, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(Need(n, what));
  *out = data_.subspan(offset_, n);
  offset_ += n;
  return OkStatus();
}

Status ByteReader::Skip(size_t n, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(Need(n, what));
  offset_ += n;
  return OkStatus();
}

}  // namespace vouch
