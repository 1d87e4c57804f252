// `vouch sgx verify` for Intel TDX quotes (docs/sgx-verify.md, "TDX quotes"; docs/td-info.md):
// sgx_cmd.cc reads the arguments, the quote and the collateral and hands a TD quote (TEE type
// 0x81) here, which verifies it, maps it to the TD identity, checks the constraint and prints
// the human or --json output. It also holds what the SGX and TDX outputs share.
#ifndef VOUCH_CLI_SGX_TD_CMD_H_
#define VOUCH_CLI_SGX_TD_CMD_H_

#include "cli/cli_common.h"
#include "vouch/base/bytes.h"
#include "vouch/base/time.h"
#include "vouch/constraint/tee_constraint.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"

namespace vouch::cli {

// Returns the exit code: 0 accepted, 1 rejected (the quote, the collateral or the constraint), 3
// when `td_info_out` (the TD identity as TD info JSON, docs/td-info.md; empty: none) cannot be
// written. `constraint` may be null. Output follows the --json contract of docs/cli.md.
int RunVerifyTd(const sgx::DcapVerifier& verifier, ByteSpan quote,
                const sgx::Collateral& collateral, const sgx::VerifyOptions& options,
                const TeeConstraint* constraint, const std::string& td_info_out, bool json);

// The platform and collateral facts both kinds of quote report (FMSPC, PCK CA, TCB evaluation
// number, trust root, collateral validity): appended to `out` in the --json field order of
// docs/sgx-verify.md, or printed as the human output's "platform:" and "collateral:" lines.
void AddPlatformJson(const sgx::DcapResult& r, Json& out);
void PrintPlatformLines(const sgx::DcapResult& r);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_SGX_TD_CMD_H_
