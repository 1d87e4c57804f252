// ByteWriter: building binary structures field by field, the inverse of ByteReader
// (byte_reader.h). It appends fixed-width integers in an explicit byte order — little-endian for
// the Intel SGX/TDX structures (quotes, report bodies, SIGSTRUCT, sealed blobs), big-endian
// (network order, "I2OSP") for RFC 9180 labels, C2SP note key IDs and cosignature timestamps,
// and length prefixes — followed by raw bytes and zero padding, and hands the result over once:
//
//   ByteWriter w;                 w.WriteU16Le(3);        // 03 00
//                                 w.WriteU32Be(5);        // 00 00 00 05
//                                 w.WriteBytes(data);     // data, as is
//                                 w.WriteZeros(12);       // 12 × 00
//   Bytes out = std::move(w).Finish();
//
// Writing cannot fail: every Write appends exactly the bytes it names, so the size after a
// sequence of writes is the sum of their widths (plus the initial contents, if any). The caller
// is responsible for values fitting their field (a length written as u16 must be < 2^16); the
// writers take the exact-width type, so the narrowing is visible at the call site.
//
// For structures laid out at fixed offsets in a buffer the caller has already sized, the free
// functions StoreU16Le … StoreU64Be write one integer at a pointer (the inverses of LoadU16Le …
// in byte_reader.h). REQUIRES: the pointer has room for the integer's width.
//
// Thread-compatible.
#ifndef VOUCH_BASE_BYTE_WRITER_H_
#define VOUCH_BASE_BYTE_WRITER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "vouch/base/bytes.h"

namespace vouch {

// Little-endian stores into a buffer the caller has already bounds-checked.
inline void StoreU16Le(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void StoreU32Le(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void StoreU64Le(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Big-endian (network order) stores into a buffer the caller has already bounds-checked.
inline void StoreU16Be(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreU32Be(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
inline void StoreU64Be(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

class ByteWriter {
 public:
  ByteWriter() = default;
  // Starts from `initial` and appends after it (a header built elsewhere, say).
  explicit ByteWriter(Bytes initial) : out_(std::move(initial)) {}

  // Reserves room for `n` more bytes; a hint only, the contents do not change.
  void Reserve(size_t n) { out_.reserve(out_.size() + n); }

  void WriteU8(uint8_t v) { out_.push_back(v); }
  void WriteU16Le(uint16_t v) { Store<2>(StoreU16Le, v); }
  void WriteU32Le(uint32_t v) { Store<4>(StoreU32Le, v); }
  void WriteU64Le(uint64_t v) { Store<8>(StoreU64Le, v); }
  void WriteU16Be(uint16_t v) { Store<2>(StoreU16Be, v); }
  void WriteU32Be(uint32_t v) { Store<4>(StoreU32Be, v); }
  void WriteU64Be(uint64_t v) { Store<8>(StoreU64Be, v); }
  void WriteBytes(ByteSpan data) { Append(out_, data); }
  // Appends `n` zero bytes (reserved fields, padding).
  void WriteZeros(size_t n) { out_.resize(out_.size() + n, 0); }

  // The number of bytes written so far, and a view of them (valid until the next Write).
  size_t size() const { return out_.size(); }
  ByteSpan view() const { return out_; }

  // Hands over what was written; the writer is left empty.
  Bytes Finish() && { return std::move(out_); }

 private:
  template <size_t N, typename T>
  void Store(void (*store)(uint8_t*, T), T v) {
    std::array<uint8_t, N> b;
    store(b.data(), v);
    out_.insert(out_.end(), b.begin(), b.end());
  }

  Bytes out_;
};

}  // namespace vouch

#endif  // VOUCH_BASE_BYTE_WRITER_H_
