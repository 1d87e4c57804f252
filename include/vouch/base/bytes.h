// Byte containers and views used across Vouch.
#ifndef VOUCH_BASE_BYTES_H_
#define VOUCH_BASE_BYTES_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vouch {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsStringView(ByteSpan b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes ToBytes(ByteSpan b) { return Bytes(b.begin(), b.end()); }

inline void Append(Bytes& out, ByteSpan b) { out.insert(out.end(), b.begin(), b.end()); }

template <size_t N>
inline bool EqualBytes(const std::array<uint8_t, N>& a, ByteSpan b) {
  return b.size() == N && std::equal(a.begin(), a.end(), b.begin());
}
inline bool EqualBytes(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace vouch

#endif  // VOUCH_BASE_BYTES_H_
