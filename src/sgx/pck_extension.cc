#include "vouch/sgx/pck_extension.h"

#include <charconv>
#include <string>
#include <string_view>

#include "vouch/base/der.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx {
namespace {

using ::vouch::DerOidText;
using ::vouch::DerReader;
using ::vouch::DerUnsigned;

constexpr std::string_view kBase = kSgxExtensionOid;

template <size_t N>
Status ReadFixedOctets(DerReader& r, std::array<uint8_t, N>* out, const std::string& what) {
  ByteSpan v;
  VOUCH_RETURN_IF_ERROR(r.Read(kDerTagOctetString, &v, what));
  if (v.size() != N) {
    return InvalidArgumentError(what + " must be " + std::to_string(N) + " bytes, got " +
                                std::to_string(v.size()));
  }
  std::copy(v.begin(), v.end(), out->begin());
  return OkStatus();
}

// Reads SEQUENCE { OID, value... } and returns the OID text and a reader over the rest.
Status ReadPair(DerReader& outer, std::string* oid, DerReader* rest, const std::string& what) {
  ByteSpan seq;
  VOUCH_RETURN_IF_ERROR(outer.Read(kDerTagSequence, &seq, what));
  DerReader inner(seq);
  ByteSpan oid_bytes;
  VOUCH_RETURN_IF_ERROR(inner.Read(kDerTagOid, &oid_bytes, what + " OID"));
  VOUCH_ASSIGN_OR_RETURN(*oid, DerOidText(oid_bytes));
  *rest = inner;
  return OkStatus();
}

Status ExpectEnd(const DerReader& r, const std::string& what) {
  if (!r.empty()) return InvalidArgumentError("unexpected data after " + what);
  return OkStatus();
}

Status ParseTcb(DerReader& value, PckExtension* ext) {
  ByteSpan tcb_seq;
  VOUCH_RETURN_IF_ERROR(value.Read(kDerTagSequence, &tcb_seq, "TCB"));
  VOUCH_RETURN_IF_ERROR(ExpectEnd(value, "TCB"));
  DerReader r(tcb_seq);
  uint32_t seen = 0;  // bit i-1 for .2.i
  while (!r.empty()) {
    std::string oid;
    DerReader item(ByteSpan{});
    VOUCH_RETURN_IF_ERROR(ReadPair(r, &oid, &item, "TCB component"));
    const std::string prefix = std::string(kBase) + ".2.";
    if (oid.rfind(prefix, 0) != 0) return InvalidArgumentError("unexpected TCB OID " + oid);
    const std::string suffix = oid.substr(prefix.size());
    int index = 0;
    auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), index);
    if (ec != std::errc() || end != suffix.data() + suffix.size() ||
        suffix != std::to_string(index) || index < 1 || index > 18) {
      return InvalidArgumentError("unexpected TCB OID " + oid);
    }
    if (seen & (1u << (index - 1))) return InvalidArgumentError("repeated TCB OID " + oid);
    seen |= 1u << (index - 1);
    if (index == 18) {
      VOUCH_RETURN_IF_ERROR(ReadFixedOctets(item, &ext->cpu_svn, "CPUSVN"));
    } else {
      ByteSpan integer;
      VOUCH_RETURN_IF_ERROR(item.Read(kDerTagInteger, &integer, oid));
      if (index == 17) {
        VOUCH_ASSIGN_OR_RETURN(uint64_t v, DerUnsigned(integer, 0xffff, "PCESVN"));
        ext->pce_svn = static_cast<uint16_t>(v);
      } else {
        VOUCH_ASSIGN_OR_RETURN(uint64_t v,
                               DerUnsigned(integer, 255, "TCB component " + std::to_string(index)));
        ext->tcb_components[static_cast<size_t>(index - 1)] = static_cast<uint8_t>(v);
      }
    }
    VOUCH_RETURN_IF_ERROR(ExpectEnd(item, oid));
  }
  if (seen != (1u << 18) - 1) return InvalidArgumentError("TCB lacks some of .2.1 … .2.18");
  return OkStatus();
}

}  // namespace

StatusOr<PckExtension> PckExtension::Parse(ByteSpan der) {
  auto parse = [&]() -> StatusOr<PckExtension> {
    DerReader top(der);
    ByteSpan body;
    VOUCH_RETURN_IF_ERROR(top.Read(kDerTagSequence, &body, "SGX extension"));
    VOUCH_RETURN_IF_ERROR(ExpectEnd(top, "SGX extension"));
    PckExtension ext;
    uint32_t seen = 0;
    DerReader r(body);
    while (!r.empty()) {
      std::string oid;
      DerReader value(ByteSpan{});
      VOUCH_RETURN_IF_ERROR(ReadPair(r, &oid, &value, "SGX extension entry"));
      if (oid.rfind(std::string(kBase) + ".", 0) != 0)
        return InvalidArgumentError("unexpected OID " + oid);
      std::string suffix = oid.substr(kBase.size() + 1);
      int index = suffix.size() == 1 && suffix[0] >= '1' && suffix[0] <= '9' ? suffix[0] - '0' : 0;
      if (index == 0) continue;  // unknown arcs are ignored, as Intel's parser does
      if (seen & (1u << index)) return InvalidArgumentError("repeated SGX extension OID " + oid);
      seen |= 1u << index;
      switch (index) {
        case 1:
          VOUCH_RETURN_IF_ERROR(ReadFixedOctets(value, &ext.ppid, "PPID"));
          break;
        case 2:
          VOUCH_RETURN_IF_ERROR(ParseTcb(value, &ext));
          break;
        case 3:
          VOUCH_RETURN_IF_ERROR(ReadFixedOctets(value, &ext.pce_id, "PCE-ID"));
          break;
        case 4:
          VOUCH_RETURN_IF_ERROR(ReadFixedOctets(value, &ext.fmspc, "FMSPC"));
          break;
        case 5: {
          ByteSpan e;
          VOUCH_RETURN_IF_ERROR(value.Read(kDerTagEnumerated, &e, "SGX type"));
          VOUCH_ASSIGN_OR_RETURN(uint64_t v, DerUnsigned(e, 255, "SGX type"));
          ext.sgx_type = static_cast<int>(v);
          break;
        }
        case 6: {
          std::array<uint8_t, 16> id{};
          VOUCH_RETURN_IF_ERROR(ReadFixedOctets(value, &id, "platform instance ID"));
          ext.platform_instance_id = id;
          break;
        }
        default:
          continue;  // .7 configuration and later arcs: not used for verification
      }
      VOUCH_RETURN_IF_ERROR(ExpectEnd(value, oid));
    }
    for (int required : {1, 2, 3, 4, 5}) {
      if (!(seen & (1u << required))) {
        return InvalidArgumentError("SGX extension lacks " + std::string(kBase) + "." +
                                    std::to_string(required));
      }
    }
    return ext;
  };
  auto result = parse();
  if (!result.ok()) {
    return MalformedError(reasons::kPckExtensionMalformed,
                          "malformed PCK certificate SGX extension: " + result.status().message());
  }
  return result;
}

}  // namespace vouch::sgx
