// Recovering an envelope's secret with its custodians and recording the re-wrap
// (spec/provisioning.md §5.3; docs/broker.md "Recovery"):
//
//   RecoverEnvelope(env, custodian keys)   steps 2–4: each key opens its share, found by keyid;
//                                          the shares combine into the wrap seed, the wrap
//                                          opens, the commitment is the envelope's
//   (the caller makes the new envelope with the recovered Inner: step 5, envelope.h)
//   MakeRewrap(from, to, …)                step 6: the statement the ledger records
//
// Verifying `from`'s owner signature against the owner's keys (step 1) is the caller's, before
// anything is opened: Envelope::VerifyOwners.
//
// Errors (recovery.h's reasons):
//   kInvalidArgument   "recovery_invalid"              the envelope has no recovery wrap, or a
//                                                      custodian key is given twice
//   kNotFound          "recovery_custodian_unknown"    a key holds none of the envelope's shares
//   kPermissionDenied  "recovery_insufficient_shares"  fewer keys than the threshold
//   kPermissionDenied  "recovery_failed"               a share or the wrap does not open, or the
//                                                      commitment does not match
//
// Thread-safe free functions.
#ifndef VOUCH_PROVISION_REWRAP_H_
#define VOUCH_PROVISION_REWRAP_H_

#include <span>
#include <string>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/x25519.h"
#include "vouch/govern/statement.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/inner.h"

namespace vouch::provision {

struct RecoveredSecret {
  Inner inner;                          // the owner's secret and commit key
  std::vector<std::string> custodians;  // the keyids whose shares were used, ascending
};

// §5.3 steps 2–4 for `envelope` with the custodians' private keys.
StatusOr<RecoveredSecret> RecoverEnvelope(const Envelope& envelope,
                                          std::span<const X25519PrivateKey> custodian_keys);

// §5.3 step 6: the re-wrap of `from` as `to` for ledger `ledger`, issued at `issued_on`, for
// `reason` (one of govern::kRewrapReasons), with the shares of `custodians`. EncodeStatement
// refuses what the statement's rules refuse (e.g. an unknown reason).
govern::Rewrap MakeRewrap(const Envelope& from, const Envelope& to, std::string ledger,
                          UnixSeconds issued_on, std::string reason,
                          std::vector<std::string> custodians);

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_REWRAP_H_
