// An enclave's provisioning anchors (spec/provisioning.md §3.6; docs/formats/provision-anchors.md):
// the owner keys an enclave trusts for the envelopes it fetches, shipped inside its measured
// bundle as `provision-anchors.json`:
//
//   {"format": "vouch-provision-anchors/v1",
//    "ownerKeys": [Key, …],                  1..8 Key objects {"keyid", "spki"}, Ed25519 or
//                                            P-256, each keyid hex SHA-256 of its SPKI, no key
//                                            twice
//    "policy": "<tlog-policy text>" | null}  the ledger's witness policy: the release record's
//                                            tlog-proof must verify under it (parsed and used by
//                                            server::FetchSecret)
//
// The file is read strictly: exactly these three fields, valid UTF-8 JSON without duplicate
// keys, at most kMaxAnchorsSize bytes. With anchors an enclave verifies an owner signature on the
// envelope under one of *these* keys (not the envelope's own ownerKeys, which anyone can write)
// and the secret's commitment (server/fetch_secret.h).
//
// Errors: kInvalidArgument, reason "anchors_malformed", the message starting with the JSON
// pointer of the offending value.
//
// Thread-compatible; an Anchors is immutable once made.
#ifndef VOUCH_PROVISION_ANCHORS_H_
#define VOUCH_PROVISION_ANCHORS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/signer.h"
#include "vouch/dsse/envelope.h"

namespace vouch::provision {

inline constexpr char kAnchorsFormat[] = "vouch-provision-anchors/v1";
inline constexpr char kAnchorsFileName[] = "provision-anchors.json";
inline constexpr char kReasonAnchorsMalformed[] = "anchors_malformed";
inline constexpr size_t kMaxAnchorsSize = 64 * 1024;
inline constexpr size_t kMaxAnchorOwnerKeys = 8;

class Anchors {
 public:
  // Parses a provision-anchors.json file (its exact bytes).
  static StatusOr<Anchors> Parse(ByteSpan file);
  // Anchors from keys already in hand (tests, an enclave that compiles its keys in).
  // kInvalidArgument "anchors_malformed" for no key, more than kMaxAnchorOwnerKeys, a null one,
  // the same key twice, or an empty policy.
  static StatusOr<Anchors> FromKeys(std::vector<std::shared_ptr<const PublicKeyVerify>> owner_keys,
                                    std::optional<std::string> policy = std::nullopt);

  // The trusted owner keys, in file order.
  const dsse::KeySet& owner_keys() const { return owner_keys_; }
  // The tlog-policy text, when the file gives one.
  const std::optional<std::string>& policy() const { return policy_; }

 private:
  Anchors(dsse::KeySet keys, std::optional<std::string> policy)
      : owner_keys_(std::move(keys)), policy_(std::move(policy)) {}

  dsse::KeySet owner_keys_;
  std::optional<std::string> policy_;
};

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_ANCHORS_H_
