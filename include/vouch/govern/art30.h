// GDPR Art. 30(1) records of processing, exported from a replayed ledger (spec/governance.md
// §3.6.2, §3.6.4; docs/governance.md "Export").
//
// The ledger holds no personal data: a processing record names its controllers by
// ref = SHA-256(JCS(register entry)), and the operator's register file keeps the names and
// contact details:
//
//   {"format":"vouch-art30-register/1",
//    "entries":[{"role","name","contact","salt":"<64 hex random>"}…]}
//
// The exporter joins the two: one row (CSV, RFC 4180, CRLF) or object (JSON,
// "vouch-art30-export/1") per activity, its latest valid version. A controller digest missing
// from the register is exported as the digest and reported (register_entry_missing).
//
// Errors: kInvalidArgument with reason "register_malformed". Thread-safe (pure functions).
#ifndef VOUCH_GOVERN_ART30_H_
#define VOUCH_GOVERN_ART30_H_

#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/sha.h"
#include "vouch/govern/replay.h"

namespace vouch::govern {

inline constexpr char kRegisterFormat[] = "vouch-art30-register/1";
inline constexpr char kRegisterMalformed[] = "register_malformed";

struct RegisterEntry {
  std::string role;  // controller, joint_controller, representative, dpo
  std::string name;
  std::string contact;
  std::string salt;       // 64 lowercase hex
  Sha256Digest digest{};  // SHA-256 of the entry's JCS form: the ref a record uses
};

struct Register {
  std::vector<RegisterEntry> entries;
  const RegisterEntry* Find(const Sha256Digest& digest) const;
};

// Strict: exactly {"format","entries"}; each entry exactly {"role","name","contact","salt"},
// strings, a known role, non-empty name and contact, salt 64 lowercase hex; digests unique.
StatusOr<Register> ParseRegister(std::string_view json);

// What the export covers.
struct Art30Checkpoint {
  uint64_t size = 0;
  std::string root_hash;  // base64, as in checkpoints
};

struct Art30Export {
  std::string text;
  // Controller digests (hex) that the register does not hold.
  std::vector<std::string> missing;
};

// One row per activity, header first (§3.6.4), CRLF line ends; lists joined with LF inside
// quoted cells; cells starting with = + - @ TAB or CR get a leading "'" (formula injection).
Art30Export ExportArt30Csv(const GovernanceState& state, const Register& reg, UnixSeconds at);
// {"format":"vouch-art30-export/1","ledger","checkpoint":{"size","rootHash"},"generatedAt",
//  "activities":[…]}.
Art30Export ExportArt30Json(const GovernanceState& state, const Register& reg,
                            const Art30Checkpoint& checkpoint, UnixSeconds at);

// One RFC 4180 CSV cell with the formula-injection prefix.
std::string CsvCell(std::string_view value);

}  // namespace vouch::govern

#endif  // VOUCH_GOVERN_ART30_H_
