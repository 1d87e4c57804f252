// ByteReader: bounds-checked, little-endian reading of binary structures. Every read either
// succeeds and advances, or returns an error naming what was being read and leaves the reader
// where it was. Nothing is ever reinterpret_cast to a packed struct.
//
// Thread-compatible. The reader borrows `data`; it must outlive the reader.
#ifndef VOUCH_BASE_BYTE_READER_H_
#define VOUCH_BASE_BYTE_READER_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/status.h"

namespace vouch {

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  size_t offset() const { return offset_; }
  size_t remaining() const { return data_.size() - offset_; }
  bool empty() const { return remaining() == 0; }

  // `what` names the field in error messages ("qe_auth_data size").
  Status ReadU8(uint8_t* out, std::string_view what);
  Status ReadU16Le(uint16_t* out, std::string_view what);
  Status ReadU32Le(uint32_t* out, std::string_view what);
  Status ReadU64Le(uint64_t* out, std::string_view what);
  // Returns a view of the next `n` bytes (into the borrowed data).
  Status ReadBytes(size_t n, ByteSpan* out, std::string_view what);
  Status Skip(size_t n, std::string_view what);

  template <size_t N>
  Status ReadArray(std::array<uint8_t, N>* out, std::string_view what) {
    ByteSpan view;
    VOUCH_RETURN_IF_ERROR(ReadBytes(N, &view, what));
    std::copy(view.begin(), view.end(), out->begin());
    return OkStatus();
  }

 private:
  Status Need(size_t n, std::string_view what) const;

  ByteSpan data_;
  size_t offset_ = 0;
};

// Little-endian loads from a buffer the caller has already bounds-checked.
inline uint16_t LoadU16Le(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadU32Le(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t LoadU64Le(const uint8_t* p) {
  return uint64_t{LoadU32Le(p)} | (uint64_t{LoadU32Le(p + 4)} << 32);
}

// Big-endian (network order) loads from a buffer the caller has already bounds-checked.
inline uint16_t LoadU16Be(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t LoadU32Be(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t LoadU64Be(const uint8_t* p) {
  return (uint64_t{LoadU32Be(p)} << 32) | uint64_t{LoadU32Be(p + 4)};
}

}  // namespace vouch

#endif  // VOUCH_BASE_BYTE_READER_H_
