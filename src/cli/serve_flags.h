// Parsing the flags of `vouch serve …` that name keys (serve_cmd.cc): `--witness URL=VKEY` of
// `serve log` and `--log ORIGIN=VKEY` of `serve witness`. Flag syntax lives here, in cli/; the
// library takes the parsed values (ledger::ResolveWitnesses, tlog::Witness::Create).
#ifndef VOUCH_CLI_SERVE_FLAGS_H_
#define VOUCH_CLI_SERVE_FLAGS_H_

#include <string>
#include <vector>

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

}  // namespace vouch::cli

#endif  // VOUCH_CLI_SERVE_FLAGS_H_
