#include "vouch/provision/rewrap.h"

#include <algorithm>
#include <utility>

#include "vouch/base/encoding.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/crypto/x25519_keys.h"

namespace vouch::provision {

StatusOr<RecoveredSecret> RecoverEnvelope(const Envelope& envelope,
                                          std::span<const X25519PrivateKey> custodian_keys) {
  const EnvelopePayload& p = envelope.payload();
  if (!p.recovery) {
    return MalformedError(kReasonRecoveryInvalid,
                          "envelope " + envelope.IdHex() + " was made without --recovery");
  }
  std::vector<std::string> used;
  std::vector<SecretBytes> shares;
  for (const X25519PrivateKey& key : custodian_keys) {
    std::string keyid = X25519KeyId(key.public_key());
    if (std::find(used.begin(), used.end(), keyid) != used.end()) {
      return MalformedError(kReasonRecoveryInvalid, "custodian key " + keyid + " is given twice");
    }
    VOUCH_ASSIGN_OR_RETURN(SecretBytes share, OpenRecoveryShare(p.id, *p.recovery, key));
    shares.push_back(std::move(share));
    used.push_back(std::move(keyid));
  }
  VOUCH_ASSIGN_OR_RETURN(Inner inner, Recover(p.id, *p.recovery, shares, p.commitment));
  std::sort(used.begin(), used.end());
  return RecoveredSecret{std::move(inner), std::move(used)};
}

govern::Rewrap MakeRewrap(const Envelope& from, const Envelope& to, std::string ledger,
                          UnixSeconds issued_on, std::string reason,
                          std::vector<std::string> custodians) {
  auto side = [](const Envelope& e) {
    return govern::RewrapEnvelope{e.payload().id, e.payload_sha256(), e.payload().constraint};
  };
  govern::Rewrap w;
  w.ledger = std::move(ledger);
  w.issued_on = issued_on;
  w.reason = std::move(reason);
  w.from = side(from);
  w.to = side(to);
  w.to_broker_keyid = HexEncode(to.payload().broker_keyid);
  w.to_unadmitted_override = to.payload().unadmitted_override;
  w.threshold = from.payload().recovery ? from.payload().recovery->threshold : 0;
  std::sort(custodians.begin(), custodians.end());
  w.custodians = std::move(custodians);
  return w;
}

}  // namespace vouch::provision
