// Reason codes of the sgx module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_SGX_REASONS_H_
#define VOUCH_SGX_REASONS_H_

namespace vouch::sgx::reasons {

// Malformed evidence (kInvalidArgument): the quote, collateral or SIGSTRUCT does not parse.
inline constexpr char kQuoteMalformed[] = "quote_malformed";
inline constexpr char kCollateralMalformed[] = "collateral_malformed";
inline constexpr char kPckChainMalformed[] = "pck_chain_malformed";
inline constexpr char kPckExtensionMalformed[] = "pck_extension_malformed";
inline constexpr char kSigstructMalformed[] = "sigstruct_malformed";

// Rejected evidence (kPermissionDenied), by step of spec/sgx-dcap.md §4.
inline constexpr char kQuoteUnsupported[] = "quote_unsupported";
// A quote, TCB Info or QE Identity for the other TEE (SGX vs TDX), and TDX module checks.
inline constexpr char kQuoteWrongTee[] = "quote_wrong_tee";
inline constexpr char kTcbInfoWrongTee[] = "tcb_info_wrong_tee";
inline constexpr char kQeIdentityWrongTee[] = "qe_identity_wrong_tee";
inline constexpr char kTdxModuleMismatch[] = "tdx_module_mismatch";
inline constexpr char kTdxModuleTcbLevelNotFound[] = "tdx_module_tcb_level_not_found";
inline constexpr char kUntrustedRoot[] = "untrusted_root";
inline constexpr char kPckChainInvalid[] = "pck_chain_invalid";
inline constexpr char kPckChainSignatureInvalid[] = "pck_chain_signature_invalid";
inline constexpr char kRootCaCrlInvalid[] = "root_ca_crl_invalid";
inline constexpr char kCrlIssuerMismatch[] = "crl_issuer_mismatch";
inline constexpr char kPckCrlInvalid[] = "pck_crl_invalid";
inline constexpr char kCertificateRevoked[] = "certificate_revoked";
inline constexpr char kTcbInfoChainInvalid[] = "tcb_info_chain_invalid";
inline constexpr char kTcbInfoSignatureInvalid[] = "tcb_info_signature_invalid";
inline constexpr char kTcbInfoUnsupported[] = "tcb_info_unsupported";
inline constexpr char kFmspcMismatch[] = "fmspc_mismatch";
inline constexpr char kPceIdMismatch[] = "pce_id_mismatch";
inline constexpr char kQeIdentityChainInvalid[] = "qe_identity_chain_invalid";
inline constexpr char kQeIdentitySignatureInvalid[] = "qe_identity_signature_invalid";
inline constexpr char kQeIdentityUnsupported[] = "qe_identity_unsupported";
inline constexpr char kCollateralNotYetValid[] = "collateral_not_yet_valid";
inline constexpr char kCollateralExpired[] = "collateral_expired";
inline constexpr char kQeReportSignatureInvalid[] = "qe_report_signature_invalid";
inline constexpr char kQeReportDataMismatch[] = "qe_report_data_mismatch";
inline constexpr char kQeIdentityMismatch[] = "qe_identity_mismatch";
inline constexpr char kQeTcbLevelNotFound[] = "qe_tcb_level_not_found";
inline constexpr char kQuoteSignatureInvalid[] = "quote_signature_invalid";
inline constexpr char kTcbLevelNotFound[] = "tcb_level_not_found";
inline constexpr char kTcbRevoked[] = "tcb_revoked";

// A SIGSTRUCT whose signature or quotients do not verify (kPermissionDenied).
inline constexpr char kSigstructSignatureInvalid[] = "sigstruct_signature_invalid";
inline constexpr char kSigstructQuotientsInvalid[] = "sigstruct_quotients_invalid";

}  // namespace vouch::sgx::reasons

#endif  // VOUCH_SGX_REASONS_H_
