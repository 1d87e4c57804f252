// Test support (not part of libvouch): builds replayable governance histories — root, builder
// and other Ed25519 keys from fixed seeds, real-format DCAP quotes from a simulated platform
// (sgx::SimulatedPki, the code behind `vouch sim`) whose report_data binds each root key, and
// signed canonical ledger entries. Used by the replay tests, the benchmark and the fuzz corpus.
//
// Statements are deterministic (Ed25519 signatures, fixed seeds); quotes are not (the simulated
// QE signs with ECDSA), so histories with root sets are generated, not checked in.
//
// Thread-compatible.
#ifndef VOUCH_GOVERN_HISTORY_BUILDER_H_
#define VOUCH_GOVERN_HISTORY_BUILDER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/crypto/signer.h"
#include "vouch/govern/statement.h"
#include "vouch/sgx/simulated_pki.h"

namespace vouch::govern::testing {

inline constexpr char kTestOrigin[] = "log.example/vouch";

// "C:<MRENCLAVE upper-case hex> SEC:STALE".
std::string ConstraintFor(const Sha256Hash& mrenclave);
// SHA-256 of `label`: a stand-in measurement.
Sha256Hash Measurement(std::string_view label);

class HistoryBuilder {
 public:
  // Keys "root-1".."root-5", "builder-a", "builder-a2", "builder-b", "builder-c", "other"
  // (Ed25519: root-1..3 and builder-a/b are the keys.json test keys, the others have seeds
  // SHA-256("vouch-history-<name>")), and a simulated PKI valid around `now`.
  static StatusOr<std::unique_ptr<HistoryBuilder>> Create(UnixSeconds now);

  const LocalSigningKey& key(const std::string& name) const;
  Key PublicKey(const std::string& name) const;

  // Provenance of `target` at `commit` with MRENCLAVE `m`, by `builder_id` (signed later by
  // whichever key the caller names).
  Provenance MakeProvenance(const std::string& builder_id, const Sha256Hash& m,
                            const std::string& commit, const std::string& target,
                            UnixSeconds finished_on) const;
  // A root with a fresh simulated quote for MRENCLAVE `m` binding `key_name`'s key.
  StatusOr<RootDescriptor> MakeRoot(const std::string& name, const std::string& key_name,
                                    const Sha256Hash& m, std::vector<EntryRef> reproduced_by) const;
  // The same with an arbitrary report_data (for binding mismatches).
  StatusOr<RootDescriptor> MakeRootWithReportData(const std::string& name,
                                                  const std::string& key_name, const Sha256Hash& m,
                                                  const std::array<uint8_t, 64>& report_data,
                                                  std::vector<EntryRef> reproduced_by) const;
  // A simulated quote for MRENCLAVE `m` (MRSIGNER Measurement("root signer"), ISVPRODID 1,
  // ISVSVN 1) carrying `report_data`.
  StatusOr<Bytes> MakeQuote(const Sha256Hash& m, const std::array<uint8_t, 64>& report_data) const;
  BuilderDescriptor MakeBuilder(const std::string& id,
                                const std::vector<std::string>& key_names) const;
  RootSet MakeRootSet(uint64_t version, UnixSeconds issued_on, UnixSeconds expires,
                      uint32_t threshold, std::vector<RootDescriptor> roots,
                      std::vector<BuilderDescriptor> builders, uint32_t k = 2) const;
  Admission MakeAdmission(Role role, const std::string& constraint, UnixSeconds issued_on,
                          UnixSeconds expires, std::vector<EntryRef> reproduced_by) const;

  // A canonical entry: `statement` encoded (validated) and signed by `signers`.
  StatusOr<Bytes> Sign(const Statement& statement, const std::vector<std::string>& signers) const;
  // A canonical entry over an arbitrary payload.
  StatusOr<Bytes> SignPayload(ByteSpan payload, const std::vector<std::string>& signers) const;

  // The ledger being built: appends `entry` and returns its reference.
  EntryRef Append(Bytes entry);
  const std::vector<Bytes>& entries() const { return entries_; }

 private:
  HistoryBuilder(std::map<std::string, std::unique_ptr<LocalSigningKey>> keys,
                 sgx::SimulatedPki pki)
      : keys_(std::move(keys)), pki_(std::move(pki)) {}

  std::map<std::string, std::unique_ptr<LocalSigningKey>> keys_;
  sgx::SimulatedPki pki_;
  std::vector<Bytes> entries_;
};

}  // namespace vouch::govern::testing

#endif  // VOUCH_GOVERN_HISTORY_BUILDER_H_
