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

Status ByteReader::ReadU8(uint8_t* out, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(Need(1, what));
  *out = data_[offset_];
  offset_ += 1;
  return OkStatus();
}

Status ByteReader::ReadU16Le(uint16_t* out, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(Need(2, what));
  *out = LoadU16Le(data_.data() + offset_);
  offset_ += 2;
  return OkStatus();
}

Status ByteReader::ReadU32Le(uint32_t* out, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(Need(4, what));
  *out = LoadU32Le(data_.data() + offset_);
  offset_ += 4;
  return OkStatus();
}

Status ByteReader::ReadU64Le(uint64_t* out, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(Need(8, what));
  *out = LoadU64Le(data_.data() + offset_);
  offset_ += 8;
  return OkStatus();
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
