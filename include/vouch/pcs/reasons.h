// Reason codes of the pcs module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_PCS_REASONS_H_
#define VOUCH_PCS_REASONS_H_

namespace vouch::pcs::reasons {

// A PCS/PCCS answered with something that is not collateral (kDataLoss).
inline constexpr char kPccsBadResponse[] = "pccs_bad_response";

}  // namespace vouch::pcs::reasons

#endif  // VOUCH_PCS_REASONS_H_
