// Flags of `vouch serve …` (serve_cmd.cc): parsing those that name keys (`--witness URL=VKEY` of
// `serve log`, `--log ORIGIN=VKEY` of `serve witness`), and the self-check flags that `serve
// root` and `serve broker` share. Flag syntax lives here, in cli/; the library takes the parsed
// values (ledger::ResolveWitnesses, tlog::Witness::Create, server::SelfCheckOptions).
#ifndef VOUCH_CLI_SERVE_FLAGS_H_
#define VOUCH_CLI_SERVE_FLAGS_H_

#include <string>
#include <vector>

#include "cli/log_common.h"
#include "vouch/base/statusor.h"
#include "vouch/ledger/checkpoint_publisher.h"
#include "vouch/tlog/witness.h"

namespace vouch::cli {

// Parses `--witness URL=VKEY`, splitting at the '=' after which a verifier key parses (URLs
// and base64 padding may both contain '='). kInvalidArgument, reason "config_invalid",
// otherwise.
StatusOr<ledger::WitnessAddress> ParseWitnessFlag(const std::string& flag);

// Parses the `--log ORIGIN=VKEY` flags of `serve witness`: each VKEY must be the log's Ed25519
// note key (type 0x01, as `vouch log keygen` prints it, not a witness's cosignature key) and be
// named ORIGIN (a log's checkpoints carry its key's name as their origin). Several keys per
// origin are allowed. kInvalidArgument, naming the flag, otherwise.
StatusOr<std::vector<tlog::WitnessLog>> ParseWitnessLogFlags(const std::vector<std::string>& flags);

// The flags of an enclave service's self-check (docs/self-check.md), as `serve root` and `serve
// broker` take them: the ledger (--log, --policy, --root-set-pin), the quote's verification
// (--trust-root, --sim-root, --collateral), the freshness bounds and the recheck interval.
struct SelfCheckFlags {
  LedgerTrust ledger;
  std::vector<std::string> collateral;
  std::string pccs;  // a PCS or PCCS URL; empty: the first --collateral
  std::string pccs_refresh = "PT1H";
  std::string max_checkpoint_age = "PT5M";
  std::string max_clock_skew = "PT5M";
  std::string recheck_interval = "PT1M";
};

// Adds the flags above to `cmd` (`collateral_help`: what --collateral does for the service).
// `flags` must outlive `cmd`.
void AddSelfCheckFlags(CLI::App* cmd, SelfCheckFlags& flags, const std::string& collateral_help);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_SERVE_FLAGS_H_
