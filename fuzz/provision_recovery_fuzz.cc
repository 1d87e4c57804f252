// libFuzzer target for recovery (src/provision/recovery.cc, spec/provisioning.md §5): hostile
// recovery objects and hostile "opened" shares, against three fixed custodian keys and one real
// 2-of-3 recovery made at start-up (fuzz/corpus/provision_recovery/).
//
// Input byte 0 picks the mode:
//   even: the rest is parsed into a RecoveryWrap (threshold, share count, then per share x,
//         custodian selector, enc[32], ct length, ct; then the wrap's enc[32] and ct), which
//         goes through ValidateRecovery, OpenRecoveryShare for each custodian and Recover;
//   odd:  the rest is XORed into the two real opened shares, which go to Recover.
// Properties (any violation aborts): every failure carries one of recovery.h's reasons and none
// is kInternal; in the odd mode Recover succeeds when no share byte changed, and whenever it
// succeeds it returns the original secret. (Changed shares may still succeed: with exactly the
// threshold of shares, changes that keep the interpolated value at x = 0 — per byte, errors
// e0, e1 with L0·e0 = L1·e1 in GF(2^8) — give back the real seed, so the wrap opens and the
// commitment confirms the real secret. Shamir shares are not authenticated one by one; the
// commitment is what makes a wrong result impossible.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "hash_random.h"
#include "vouch/crypto/sha.h"
#include "vouch/provision/recovery.h"

namespace {

using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness

struct Fixture {
  std::vector<X25519PrivateKey> custodians;
  provision::EnvelopeId id{};
  provision::Commitment commitment{};
  provision::RecoveryWrap recovery;
  std::vector<SecretBytes> opened;
};

const Fixture& TheFixture() {
  static const Fixture* f = [] {
    auto* out = new Fixture();
    std::vector<X25519PublicKey> publics;
    for (int i = 0; i < 3; ++i) {
      std::string label = "vouch recovery fuzz custodian " + std::to_string(i);
      out->custodians.push_back(*hpke::DeriveKeyPair(Sha256(AsBytes(label))));
      publics.push_back(out->custodians.back().public_key());
    }
    fuzz::HashRandom rng(AsBytes("vouch recovery fuzz"));
    provision::Inner inner = *provision::Inner::Generate(SecretBytes(AsBytes("fuzz secret")), rng);
    out->commitment = *inner.CommitmentFor(out->id);
    out->recovery = *provision::MakeRecovery(out->id, inner, publics, 2, rng);
    for (const auto& key : out->custodians) {
      out->opened.push_back(*provision::OpenRecoveryShare(out->id, out->recovery, key));
    }
    return out;
  }();
  return *f;
}

ByteSpan Take(ByteSpan& in, size_t n) {
  n = std::min(n, in.size());
  ByteSpan out = in.first(n);
  in = in.subspan(n);
  return out;
}

void CheckFailure(const Status& status) {
  static const std::set<std::string> kReasons = {
      provision::kReasonRecoveryInvalid, provision::kReasonRecoveryCustodianUnknown,
      provision::kReasonRecoveryInsufficientShares, provision::kReasonRecoveryFailed};
  if (status.ok()) return;
  if (status.code() == StatusCode::kInternal || !kReasons.contains(status.reason())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& f = TheFixture();
  if (size < 1) return 0;
  ByteSpan in(data + 1, size - 1);

  if ((data[0] & 1) != 0) {
    std::vector<SecretBytes> shares;
    bool changed = false;
    for (size_t s = 0; s < 2; ++s) {
      Bytes share(f.opened[s].Reveal().begin(), f.opened[s].Reveal().end());
      ByteSpan mask = Take(in, share.size());
      for (size_t i = 0; i < mask.size(); ++i) {
        share[i] ^= mask[i];
        changed = changed || mask[i] != 0;
      }
      shares.emplace_back(share);
    }
    auto recovered = provision::Recover(f.id, f.recovery, shares, f.commitment);
    CheckFailure(recovered.status());
    if (!changed && !recovered.ok()) std::abort();
    if (recovered.ok() && AsStringView(recovered->secret().Reveal()) != "fuzz secret") std::abort();
    return 0;
  }

  provision::RecoveryWrap wrap;
  ByteSpan header = Take(in, 2);
  if (header.size() < 2) return 0;
  wrap.threshold = header[0];
  const size_t count = header[1] % 20;
  for (size_t i = 0; i < count && !in.empty(); ++i) {
    provision::SealedShare share;
    ByteSpan fields = Take(in, 2);
    if (fields.size() < 2) break;
    share.x = fields[0];
    share.custodian =
        fields[1] < 3 ? X25519KeyIdDigest(f.custodians[fields[1]].public_key()) : Sha256(fields);
    ByteSpan enc = Take(in, 32);
    std::copy(enc.begin(), enc.end(), share.sealed.enc.begin());
    ByteSpan len = Take(in, 1);
    ByteSpan ct = Take(in, len.empty() ? 0 : len[0]);
    share.sealed.ct.assign(ct.begin(), ct.end());
    wrap.shares.push_back(std::move(share));
  }
  ByteSpan enc = Take(in, 32);
  std::copy(enc.begin(), enc.end(), wrap.wrap.enc.begin());
  wrap.wrap.ct.assign(in.begin(), in.end());

  CheckFailure(provision::ValidateRecovery(wrap));
  std::vector<SecretBytes> opened;
  for (const auto& key : f.custodians) {
    auto share = provision::OpenRecoveryShare(f.id, wrap, key);
    CheckFailure(share.status());
    if (share.ok()) opened.push_back(std::move(*share));
  }
  CheckFailure(provision::Recover(f.id, wrap, opened, f.commitment).status());
  return 0;
}
