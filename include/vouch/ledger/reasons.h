// Reason codes of the ledger module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_LEDGER_REASONS_H_
#define VOUCH_LEDGER_REASONS_H_

namespace vouch::ledger::reasons {

// The log client and service (log_client.h, log_service.h).
inline constexpr char kEntryRejected[] = "entry_rejected";
inline constexpr char kAddResponseMalformed[] = "add_response_malformed";
inline constexpr char kRequestMalformed[] = "request_malformed";

// Audits (audit.h), kPermissionDenied.
inline constexpr char kOriginMismatch[] = "origin_mismatch";
inline constexpr char kCheckpointRollback[] = "checkpoint_rollback";
inline constexpr char kCheckpointFork[] = "checkpoint_fork";
inline constexpr char kTileMissing[] = "tile_missing";
inline constexpr char kTileInvalid[] = "tile_invalid";
inline constexpr char kRootMismatch[] = "root_mismatch";

// The checkpoint publisher (checkpoint_publisher.h): configuration (kInvalidArgument), a split
// view or rollback seen by a witness (kDataLoss), and witness answers that are malformed
// (kInvalidArgument) or carry a cosignature that does not verify (kPermissionDenied).
inline constexpr char kConfigInvalid[] = "config_invalid";
inline constexpr char kWitnessSplitView[] = "witness_split_view";
inline constexpr char kWitnessResponseMalformed[] = "witness_response_malformed";
inline constexpr char kCosignatureInvalid[] = "cosignature_invalid";

}  // namespace vouch::ledger::reasons

#endif  // VOUCH_LEDGER_REASONS_H_
