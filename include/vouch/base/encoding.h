// Hex and base64 (RFC 4648 §4, standard alphabet, padded) encoders and strict decoders.
#ifndef VOUCH_BASE_ENCODING_H_
#define VOUCH_BASE_ENCODING_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

// Lower-case hex.
std::string HexEncode(ByteSpan data);
// Upper-case hex.
std::string HexEncodeUpper(ByteSpan data);
// Decodes hex digits of either case; rejects odd lengths and any other character.
StatusOr<Bytes> HexDecode(std::string_view hex);

// Decodes exactly N bytes (2N hex digits).
template <size_t N>
StatusOr<std::array<uint8_t, N>> HexDecodeArray(std::string_view hex) {
  if (hex.size() != 2 * N) {
    return InvalidArgumentError("expected " + std::to_string(2 * N) + " hex digits, got " +
                                std::to_string(hex.size()));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, HexDecode(hex));
  std::array<uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::string Base64Encode(ByteSpan data);
// Strict: standard alphabet, '=' padding required, no whitespace, canonical final bits.
StatusOr<Bytes> Base64Decode(std::string_view text);

}  // namespace vouch

#endif  // VOUCH_BASE_ENCODING_H_
