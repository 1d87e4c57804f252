#include "vouch/provision/binding.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>

#include "vouch/base/byte_writer.h"
#include "vouch/govern/statement.h"

namespace vouch::provision {
namespace {

Status Invalid(std::string message) {
  return MalformedError(kReasonBindingInvalid, std::move(message));
}

// "label" ‖ 0x00, the start of every info string.
ByteWriter Start(std::string_view label) {
  ByteWriter out;
  out.WriteBytes(AsBytes(label));
  out.WriteU8(0x00);
  return out;
}

// LP(x) = u32be(len(x)) ‖ x. Every field here is bounded far below 2^32.
void PutLp(ByteWriter& out, ByteSpan field) {
  out.WriteU32Be(static_cast<uint32_t>(field.size()));
  out.WriteBytes(field);
}
void PutLp(ByteWriter& out, uint8_t byte) { PutLp(out, ByteSpan(&byte, 1)); }

// SHA-256(tag ‖ parts…) ‖ 0^32.
ReportData HashThenZeros(std::string_view tag, std::initializer_list<ByteSpan> parts) {
  ReportData out{};
  const Sha256Digest h = Sha256WithPrefix(AsBytes(tag), parts);
  std::copy(h.begin(), h.end(), out.begin());
  return out;
}

}  // namespace

StatusOr<Bytes> EnvelopeInfo(const EnvelopeBinding& b) {
  if (b.role.empty() || b.role.size() > 64) {
    return Invalid("target role must be 1..64 bytes");
  }
  if (b.constraint.empty() || b.constraint.size() > kMaxConstraintSize) {
    return Invalid("target constraint must be 1..4096 bytes, got " +
                   std::to_string(b.constraint.size()));
  }
  if (b.not_after.size() > 64 || b.activity.size() > 64) {
    return Invalid("notAfter and activity are at most 64 bytes");
  }
  if ((b.flags & ~kFlagUnadmittedOverride) != 0) {
    return Invalid("envelope flags other than bit 0 (unadmitted override) must be 0");
  }
  ByteWriter out = Start("vouch-envelope/v1");
  PutLp(out, b.id);
  PutLp(out, AsBytes(b.role));
  PutLp(out, AsBytes(b.constraint));
  PutLp(out, b.broker_keyid);
  PutLp(out, AsBytes(b.not_after));
  PutLp(out, b.flags);
  PutLp(out, b.commitment);
  PutLp(out, AsBytes(b.activity));
  return std::move(out).Finish();
}

Bytes ReleaseResponseInfo(const ResponseBinding& b) {
  ByteWriter out = Start("vouch-release-response/v1");
  PutLp(out, b.envelope_id);
  PutLp(out, b.nonce);
  PutLp(out, b.enclave_key);
  PutLp(out, b.record_leaf_hash);
  return std::move(out).Finish();
}

Bytes RecoveryWrapInfo(const EnvelopeId& id, uint8_t threshold, uint8_t share_count) {
  ByteWriter out = Start("vouch-recovery/v1");
  PutLp(out, id);
  PutLp(out, threshold);
  PutLp(out, share_count);
  return std::move(out).Finish();
}

Bytes RecoveryShareInfo(const EnvelopeId& id, const KeyId& custodian_keyid, uint8_t x,
                        uint8_t threshold, uint8_t share_count) {
  ByteWriter out = Start("vouch-recovery-share/v1");
  PutLp(out, id);
  PutLp(out, custodian_keyid);
  PutLp(out, x);
  PutLp(out, threshold);
  PutLp(out, share_count);
  return std::move(out).Finish();
}

StatusOr<ReportData> BrokerKeyReportData(const X25519PublicKey& hpke_key, ByteSpan signing_spki) {
  if (signing_spki.empty()) return Invalid("the broker's signing key SPKI is empty");
  // One formula for the broker, the auditor's replay and the owner's check.
  return govern::BrokerKeyReportData(hpke_key, signing_spki);
}

ReportData ReleaseReportData(const Nonce& nonce, const X25519PublicKey& enclave_key) {
  return HashThenZeros("vouch-release/v1", {nonce, X25519SpkiOf(enclave_key)});
}

}  // namespace vouch::provision
