// `vouch sgx verify` for Intel TDX quotes (docs/sgx-verify.md, "TDX quotes"; docs/td-info.md):
// sgx_cmd.cc reads the arguments, the quote and the collateral and hands a TD quote (TEE type
// 0x81) here, which verifies it, maps it to the TD identity, checks the constraint and prints
// the human or --json output.
#ifndef VOUCH_CLI_SGX_TD_CMD_H_
#define VOUCH_CLI_SGX_TD_CMD_H_

#include "vouch/base/bytes.h"
#include "vouch/base/time.h"
#include "vouch/constraint/tee_constraint.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"

namespace vouch::cli {

// Returns the exit code: 0 accepted, 1 rejected (the quote, the collateral or the constraint).
// `constraint` may be null.
int RunVerifyTd(const sgx::DcapVerifier& verifier, ByteSpan quote,
                const sgx::Collateral& collateral, const sgx::VerifyOptions& options,
                const TeeConstraint* constraint, bool json);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_SGX_TD_CMD_H_
