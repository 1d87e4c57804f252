#include "cli/serve_flags.h"

#include <algorithm>
#include <memory>
#include <string_view>

#include "vouch/base/encoding.h"
#include "vouch/tlog/note.h"

namespace vouch::cli {

StatusOr<ledger::WitnessAddress> ParseWitnessFlag(const std::string& flag) {
  const std::string_view text = flag;
  for (size_t eq = text.find('='); eq != std::string::npos; eq = text.find('=', eq + 1)) {
    auto key = tlog::VerifierKey::Parse(text.substr(eq + 1));
    if (key.ok() && eq > 0) return ledger::WitnessAddress{flag.substr(0, eq), *std::move(key)};
  }
  return Status(StatusCode::kInvalidArgument,
                "--witness " + flag + ": expected URL=VKEY with a witness verifier key",
                "config_invalid");
}

StatusOr<std::vector<tlog::WitnessLog>> ParseWitnessLogFlags(
    const std::vector<std::string>& flags) {
  std::vector<tlog::WitnessLog> logs;
  for (const std::string& flag : flags) {
    const size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--log " + flag + ": expected ORIGIN=VKEY");
    }
    const std::string origin = flag.substr(0, eq);
    auto key = tlog::VerifierKey::Parse(flag.substr(eq + 1));
    if (!key.ok()) return key.status().WithContext("--log " + origin);
    if (key->type() != tlog::kSigTypeEd25519) {
      const uint8_t type = key->type();
      return InvalidArgumentError(
          "--log " + origin + ": " + key->ToString() + " has key type 0x" +
          HexEncode(ByteSpan(&type, 1)) +
          (type == tlog::kSigTypeCosignatureV1 ? ", a witness's cosignature key" : "") +
          "; --log takes the log's Ed25519 note key (type 0x01), as 'vouch log keygen' prints it");
    }
    if (key->name() != origin) {
      return InvalidArgumentError("--log " + origin + ": the key is named " + key->name() +
                                  ", and a log's checkpoints carry its key's name as their "
                                  "origin: write --log " +
                                  key->name() + "=" + key->ToString());
    }
    auto verifier = tlog::NewNoteVerifier(*key);
    if (!verifier.ok()) return verifier.status().WithContext("--log " + origin);
    auto it = std::find_if(logs.begin(), logs.end(),
                           [&](const tlog::WitnessLog& l) { return l.origin == origin; });
    std::vector<std::shared_ptr<const tlog::NoteVerifier>> verifiers;
    if (it != logs.end()) verifiers = it->keys.verifiers();
    verifiers.push_back(*verifier);
    VOUCH_ASSIGN_OR_RETURN(tlog::VerifierSet set, tlog::VerifierSet::Create(verifiers));
    if (it != logs.end()) {
      it->keys = std::move(set);
    } else {
      logs.push_back({origin, std::move(set)});
    }
  }
  return logs;
}

void AddSelfCheckFlags(CLI::App* cmd, SelfCheckFlags& flags, const std::string& collateral_help) {
  AddLedgerTrustOptions(cmd, &flags.ledger);
  cmd->add_option("--collateral", flags.collateral, collateral_help);
  cmd->add_option("--pccs", flags.pccs,
                  "An Intel PCS or PCCS URL: the collateral for this service's own quote (and a "
                  "broker's requests), per platform, fetched and kept; instead of the first "
                  "--collateral for them");
  cmd->add_option("--pccs-refresh", flags.pccs_refresh,
                  "How long a platform's collateral from --pccs is kept before it is fetched "
                  "again (default PT1H)");
  AddMaxCheckpointAgeOption(cmd, &flags.max_checkpoint_age);
  cmd->add_option("--max-clock-skew", flags.max_clock_skew,
                  "Clock skew allowed against witness and issue times (default PT5M)");
  cmd->add_option("--recheck-interval", flags.recheck_interval,
                  "How often the self-check runs again (default PT1M)");
}

}  // namespace vouch::cli
