#include "vouch/base/der_writer.h"

#include <charconv>
#include <string>
#include <vector>

#include "vouch/base/der.h"

namespace vouch {

Bytes DerTlv(uint8_t tag, ByteSpan contents) {
  Bytes out{tag};
  size_t len = contents.size();
  if (len < 128) {
    out.push_back(static_cast<uint8_t>(len));
  } else {
    Bytes len_bytes;
    for (size_t l = len; l > 0; l >>= 8)
      len_bytes.insert(len_bytes.begin(), static_cast<uint8_t>(l));
    out.push_back(static_cast<uint8_t>(0x80 | len_bytes.size()));
    Append(out, len_bytes);
  }
  Append(out, contents);
  return out;
}

Bytes DerSequence(std::initializer_list<ByteSpan> elements) {
  Bytes contents;
  for (ByteSpan e : elements) Append(contents, e);
  return DerTlv(kDerTagSequence, contents);
}

namespace {
Bytes UnsignedContents(uint64_t value) {
  Bytes out;
  do {
    out.insert(out.begin(), static_cast<uint8_t>(value));
    value >>= 8;
  } while (value > 0);
  if (out[0] & 0x80) out.insert(out.begin(), 0);
  return out;
}
}  // namespace

Bytes DerUnsignedInteger(uint64_t value) { return DerTlv(kDerTagInteger, UnsignedContents(value)); }
Bytes DerEnumerated(uint64_t value) { return DerTlv(kDerTagEnumerated, UnsignedContents(value)); }
Bytes DerOctetString(ByteSpan contents) { return DerTlv(kDerTagOctetString, contents); }

StatusOr<Bytes> DerOid(std::string_view dotted) {
  std::vector<uint64_t> arcs;
  size_t pos = 0;
  while (pos <= dotted.size()) {
    size_t dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) dot = dotted.size();
    uint64_t arc = 0;
    auto [end, ec] = std::from_chars(dotted.data() + pos, dotted.data() + dot, arc);
    if (ec != std::errc() || end != dotted.data() + dot) {
      return InvalidArgumentError("bad OID " + std::string(dotted));
    }
    arcs.push_back(arc);
    pos = dot + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) {
    return InvalidArgumentError("bad OID " + std::string(dotted));
  }
  Bytes contents;
  auto put = [&](uint64_t v) {
    Bytes base128{static_cast<uint8_t>(v & 0x7f)};
    for (v >>= 7; v > 0; v >>= 7)
      base128.insert(base128.begin(), static_cast<uint8_t>(0x80 | (v & 0x7f)));
    Append(contents, base128);
  };
  put(arcs[0] * 40 + arcs[1]);
  for (size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
  return DerTlv(kDerTagOid, contents);
}

}  // namespace vouch
