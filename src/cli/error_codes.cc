#include "cli/error_codes.h"

#include <algorithm>
#include <array>

#include "vouch/base/file.h"
#include "vouch/build/attest.h"
#include "vouch/build/reasons.h"
#include "vouch/constraint/reasons.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/art30.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/target_admission.h"
#include "vouch/ledger/reasons.h"
#include "vouch/pcs/reasons.h"
#include "vouch/platform/reasons.h"
#include "vouch/provision/anchors.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/provision/inner.h"
#include "vouch/provision/recovery.h"
#include "vouch/seal/reasons.h"
#include "vouch/server/broker.h"
#include "vouch/server/broker_client.h"
#include "vouch/server/fetch_secret.h"
#include "vouch/server/root_client.h"
#include "vouch/server/self_check.h"
#include "vouch/sgx/reasons.h"
#include "vouch/store/reasons.h"
#include "vouch/tlog/reasons.h"

namespace vouch::cli {
namespace {

constexpr ErrorCode Usage(std::string_view code) { return {code, kExitUsage}; }
constexpr ErrorCode Rejected(std::string_view code) { return {code, kExitRejected}; }
constexpr ErrorCode Io(std::string_view code) { return {code, kExitIo}; }

namespace b = build::reasons;
namespace c = constraint::reasons;
namespace g = govern;
namespace l = ledger::reasons;
namespace p = platform::reasons;
namespace s = sgx::reasons;
namespace st = store::reasons;
namespace t = tlog::reasons;

constexpr auto kTable = std::to_array<ErrorCode>({
    // The command layer.
    codes::kUsage,
    codes::kInvalidArgument,
    codes::kInputTooLarge,
    codes::kFileExists,
    codes::kInvalidTime,
    codes::kUrlMalformed,
    codes::kKeyMalformed,
    codes::kRejected,
    codes::kIoError,
    codes::kInternalError,
    codes::kRootMalformed,
    codes::kTrustRootIsSimulation,
    codes::kConstraintFailed,
    codes::kPckCertMalformed,
    codes::kPckCertMissing,
    codes::kPccsUnavailable,
    codes::kInvalidOrigin,
    codes::kInvalidName,
    codes::kEntryEmpty,
    codes::kIndexMalformed,
    codes::kTrustMissing,
    codes::kStateInvalid,
    codes::kPolicyQuorumNone,
    codes::kLogUnreachable,
    codes::kWitnessQuorumMissing,
    codes::kLogResponseMalformed,
    codes::kLeafHashMismatch,
    codes::kNotFound,
    codes::kEntryNotFound,
    codes::kEntryTooLarge,
    codes::kProofFileMismatch,
    codes::kWrongKey,
    codes::kNoLogs,
    codes::kLogMalformed,
    codes::kDataDirInUse,
    codes::kStoreFailed,
    codes::kListenFailed,
    codes::kDemoStepFailed,
    // store: creating and opening a log's or witness's state (serve log / serve witness).
    Usage(st::kStateExists),
    Io(st::kStateMissing),
    Io(st::kStateNotAnchored),
    Io(st::kStateAnchorInvalid),
    Io(st::kStateLost),
    Io(st::kStateBehind),
    Io(st::kStoreSchema),
    Io(st::kStoreCorrupt),
    Io(st::kStoreDamaged),
    Io(st::kStateAnchorWrite),
    Io(st::kStoreUnreachable),
    Io(st::kStoreNotDurable),
    Io(st::kStoreVersionNewer),
    Io(st::kStoreInUse),
    // base: the one rule for private key files (base/file.h).
    Usage(kKeyFileInsecure),
    // sgx: evidence that does not parse is evidence examined and rejected (exit 1).
    Rejected(s::kQuoteMalformed),
    Rejected(s::kCollateralMalformed),
    Rejected(s::kPckChainMalformed),
    Rejected(s::kPckExtensionMalformed),
    Rejected(s::kSigstructMalformed),
    Rejected(s::kQuoteUnsupported),
    Rejected(s::kQuoteWrongTee),
    Rejected(s::kUntrustedRoot),
    Rejected(s::kPckChainInvalid),
    Rejected(s::kPckChainSignatureInvalid),
    Rejected(s::kRootCaCrlInvalid),
    Rejected(s::kCrlIssuerMismatch),
    Rejected(s::kPckCrlInvalid),
    Rejected(s::kCertificateRevoked),
    Rejected(s::kTcbInfoChainInvalid),
    Rejected(s::kTcbInfoSignatureInvalid),
    Rejected(s::kTcbInfoUnsupported),
    Rejected(s::kTcbInfoWrongTee),
    Rejected(s::kFmspcMismatch),
    Rejected(s::kPceIdMismatch),
    Rejected(s::kQeIdentityChainInvalid),
    Rejected(s::kQeIdentitySignatureInvalid),
    Rejected(s::kQeIdentityUnsupported),
    Rejected(s::kQeIdentityWrongTee),
    Rejected(s::kCollateralNotYetValid),
    Rejected(s::kCollateralExpired),
    Rejected(s::kQeReportSignatureInvalid),
    Rejected(s::kQeReportDataMismatch),
    Rejected(s::kQeIdentityMismatch),
    Rejected(s::kQeTcbLevelNotFound),
    Rejected(s::kQuoteSignatureInvalid),
    Rejected(s::kTcbLevelNotFound),
    Rejected(s::kTcbRevoked),
    Rejected(s::kTdxModuleMismatch),
    Rejected(s::kTdxModuleTcbLevelNotFound),
    Rejected(s::kSigstructSignatureInvalid),
    Rejected(s::kSigstructQuotientsInvalid),
    // constraint: the constraint and the EII are what the user asks with (exit 2).
    Usage(c::kConstraintMalformed),
    Usage(c::kConstraintInvalid),
    Usage(c::kEiiMalformed),
    Rejected(c::kCodeHashMismatch),
    Rejected(c::kCodeSignerMismatch),
    Rejected(c::kCodeHashAndSignerMismatch),
    Rejected(c::kProductIdMismatch),
    Rejected(c::kRevocationLevelTooLow),
    Rejected(c::kSecurityLevelMismatch),
    Rejected(c::kSecurityLevelTooLow),
    Rejected(c::kAttestationTooOld),
    Usage(c::kTdInfoMalformed),
    Rejected(c::kMrtdMismatch),
    Rejected(c::kMrseamMismatch),
    Rejected(c::kRtmrMismatch),
    Rejected(c::kMrConfigIdMismatch),
    Rejected(c::kMrOwnerMismatch),
    Rejected(c::kMrOwnerConfigMismatch),
    Rejected(c::kTdAttributesMismatch),
    Rejected(c::kXfamMismatch),
    Rejected(c::kServicetdMismatch),
    Rejected(c::kConstraintTeeMismatch),
    // platform.
    Usage(p::kManifestMalformed),
    Usage(p::kBundleMalformed),
    Usage(p::kBundleUnsigned),
    Io(p::kBundleChanged),
    Rejected(p::kBundleSignatureMismatch),
    Usage(p::kSimExists),
    Usage(p::kSimNotInitialized),
    Usage(p::kSimStateInsecure),
    Usage(p::kSimStateMalformed),
    Usage(p::kSimCertificatesExpired),
    Usage(p::kIdentityMalformed),
    Usage(p::kPlatformUnavailable),
    Usage(p::kPlatformMalformed),
    Usage(p::kGramineMalformed),
    Usage(p::kGramineAttestationDisabled),
    Usage(p::kGramineSvnUnavailable),
    // seal (platform::reasons::kSealSvnTooNew is the same code).
    Rejected(seal::reasons::kSealedBlobMalformed),
    Rejected(seal::reasons::kSealIdentityMismatch),
    Rejected(seal::reasons::kSealProductMismatch),
    Rejected(seal::reasons::kSealSvnTooNew),
    Rejected(seal::reasons::kSealOpenFailed),
    // pcs.
    Io(pcs::reasons::kPccsBadResponse),
    // tlog: keys and policies are given by the user (exit 2); notes, checkpoints, proofs and
    // tiles come from a log and are examined (exit 1).
    Usage(t::kVkeyMalformed),
    Usage(t::kSkeyMalformed),
    Usage(t::kPolicyMalformed),
    Rejected(t::kNoteMalformed),
    Rejected(t::kCheckpointMalformed),
    Rejected(t::kCosignatureMalformed),
    Rejected(t::kHashSizeInvalid),
    Rejected(t::kHashEncodingInvalid),
    Rejected(t::kProofRequestInvalid),
    Rejected(t::kProofFileMalformed),
    Rejected(t::kTilePathInvalid),
    Rejected(t::kTileMalformed),
    Rejected(t::kEntryBundleMalformed),
    Rejected(t::kWitnessRequestMalformed),
    Rejected(t::kNoteSignatureInvalid),
    Rejected(t::kNoteKeyAmbiguous),
    Rejected(t::kNoteUnverified),
    Rejected(t::kPolicyUnknownLog),
    Rejected(t::kPolicyLogSignatureMissing),
    Rejected(t::kPolicyQuorumNotMet),
    Rejected(t::kInclusionProofInvalid),
    Rejected(t::kConsistencyProofInvalid),
    Rejected(t::kSubtreeInclusionProofInvalid),
    Rejected(t::kSubtreeConsistencyProofInvalid),
    // ledger.
    Rejected(l::kEntryRejected),
    Rejected(l::kAddResponseMalformed),
    Rejected(l::kRequestMalformed),
    Rejected(l::kOriginMismatch),
    Rejected(l::kCheckpointRollback),
    Rejected(l::kCheckpointFork),
    Rejected(l::kTileMissing),
    Rejected(l::kTileInvalid),
    Rejected(l::kRootMismatch),
    Usage(l::kConfigInvalid),
    Rejected(l::kWitnessSplitView),
    Rejected(l::kWitnessResponseMalformed),
    Rejected(l::kCosignatureInvalid),
    // governance (vouch/govern/codes.h, vouch/dsse/envelope.h, build/attest.h, govern/art30.h):
    // as examined, exit 1; a statement that `govern`/`statement sign` refuse to write is exit 2
    // (govern_common.h, ReportStatus with a role).
    Rejected(g::kPayloadMalformed),
    Rejected(g::kPayloadNotCanonical),
    Rejected(g::kStatementTypeInvalid),
    Rejected(g::kSubjectInvalid),
    Rejected(g::kSubjectMismatch),
    Rejected(g::kPredicateTypeUnknown),
    Rejected(g::kPredicateMalformed),
    Rejected(g::kPersonalDataSuspected),
    Rejected(g::kConstraintNotCanonical),
    Rejected(g::kConstraintNotAllowed),
    Rejected(g::kKeyidMismatch),
    Rejected(g::kProvenanceBuildTypeUnknown),
    Rejected(g::kLedgerMismatch),
    Rejected(g::kNoRootSet),
    Rejected(g::kIssuedBeforeRootSet),
    Rejected(g::kRootSetExpired),
    Rejected(g::kRootSetPinMismatch),
    Rejected(g::kRootSetVersionGap),
    Rejected(g::kRootSetVersionReplayed),
    Rejected(g::kDuplicateKey),
    Rejected(g::kDuplicateBuilder),
    Rejected(g::kKeyRevoked),
    Rejected(g::kExpired),
    Rejected(g::kOldSetThresholdNotMet),
    Rejected(g::kNewSetThresholdNotMet),
    Rejected(g::kRootEvidenceMalformed),
    Rejected(g::kRootKeyBindingMismatch),
    Rejected(g::kRootConstraintNotMet),
    Rejected(g::kRootNotAdmitted),
    Rejected(g::kReferenceNotFound),
    Rejected(g::kReferenceNotProvenance),
    Rejected(g::kReferenceNotAdmission),
    Rejected(g::kNotReproduced),
    Rejected(g::kNotReproducible),
    Rejected(g::kProvenanceSignatureCount),
    Rejected(g::kBuilderKeyRevoked),
    Rejected(g::kProvenanceNotProposable),
    Rejected(g::kValidityWindowInvalid),
    Rejected(g::kRevoked),
    Rejected(g::kRevocationTargetUnknown),
    Rejected(g::kRevocationWouldDeadlock),
    Rejected(g::kRecordVersionGap),
    Rejected(g::kBrokerKeyUnannounced),
    Rejected(g::kBrokerKeyMismatch),
    Rejected(g::kReleaseRecordMismatch),
    Rejected(g::kBrokerEvidenceMalformed),
    Rejected(g::kBrokerKeyBindingMismatch),
    Rejected(g::kBrokerIdentityMismatch),
    Rejected(g::kBrokerNotAdmitted),
    Rejected(g::kRegisterEntryMissing),
    Rejected(g::kNotAdmitted),
    Rejected(g::kNotYetValid),
    Rejected(g::kStatementBackdated),
    Rejected(g::kStatementFromFuture),
    Rejected(g::kSignedInvalid),
    Rejected(g::kRootEvidenceInvalid),
    Rejected(g::kIssueTimeUnverified),
    Rejected(g::kRootEvidenceUnverified),
    Rejected(g::kRootSetUnpinned),
    Rejected(dsse::kEntryMalformed),
    Rejected(dsse::kEnvelopeMalformed),
    Rejected(dsse::kPayloadTypeUnsupported),
    Rejected(dsse::kBase64Invalid),
    Rejected(dsse::kSignatureKeyidInvalid),
    Rejected(dsse::kDuplicateSigner),
    Rejected(dsse::kEntryNotCanonical),
    Rejected(dsse::kStatementSignatureInvalid),
    Rejected(dsse::kThresholdNotMet),
    Usage(g::kRegisterMalformed),
    Usage(build::kToolchainMalformed),
    Usage(build::kSbomMalformed),
    Usage(build::kSourceMalformed),
    // server: the self-check of roots and brokers (server/self_check.h; at a service's start
    // any failure is exit 3), and the answers of a root (server/root_client.h).
    Rejected(server::kCheckpointStale),
    Rejected(server::kCheckpointFromFuture),
    Rejected(server::kSelfNotAdmitted),
    Rejected(server::kHandoffExpired),
    Rejected(server::kSelfRevoked),
    Io(server::kSelfIdentityUnavailable),
    Io(server::kSelfCheckFailed),
    Rejected(server::kSignResponseMalformed),
    // build: the image integrity digest (build/integrity.h; version --verify-integrity, the
    // self-check of every serve, which exits 3 whatever the code).
    Usage(b::kIntegrityUnsupported),
    Usage(b::kIntegrityAlreadyInjected),
    Io(b::kIntegrityFileMismatch),
    Rejected(b::kIntegrityDigestMissing),
    Rejected(b::kIntegrityDigestMismatch),
    // provision: an envelope file examined (`provision inspect`; envelope_malformed is the same
    // word as DSSE's, dsse::kEnvelopeMalformed above).
    Rejected(provision::kReasonEnvelopeUnsupported),
    Rejected(provision::kReasonEnvelopeSignatureInvalid),
    // provision: making an envelope (`provision envelope`, spec/provisioning.md §2.4).
    Rejected(server::kBrokerUntrusted),
    Rejected(server::kBrokerResponseMalformed),
    Rejected(g::kTargetNotAdmitted),
    Rejected(g::kTargetRevoked),
    Rejected(server::kProcessingRecordMissing),
    // provision: the enclave side of a release (`provision fetch`, server/fetch_secret.h).
    Rejected(server::kReleaseRecordInvalid),
    Rejected(provision::kReasonResponseDecryptFailed),
    Rejected(provision::kReasonCommitmentMismatch),
    Usage(provision::kReasonAnchorsMalformed),
    Usage(server::kAnchorsLogMissing),
    Io(server::kQuoteUnavailable),
    // provision: recovery with the custodians (`provision recover`, spec/provisioning.md §5.3).
    Usage(provision::kReasonRecoveryInvalid),
    Usage(provision::kReasonRecoveryCustodianUnknown),
    Rejected(provision::kReasonRecoveryInsufficientShares),
    Rejected(provision::kReasonRecoveryFailed),
});

ErrorCode Generic(StatusCode code) {
  switch (code) {
    case StatusCode::kPermissionDenied:
      return codes::kRejected;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
    case StatusCode::kOutOfRange:
      return codes::kInvalidArgument;
    case StatusCode::kNotFound:
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kDataLoss:
    case StatusCode::kResourceExhausted:
      return codes::kIoError;
    default:
      return codes::kInternalError;
  }
}

}  // namespace

std::span<const ErrorCode> AllErrorCodes() { return kTable; }

const ErrorCode* FindErrorCode(std::string_view code) {
  auto it = std::find_if(kTable.begin(), kTable.end(),
                         [&](const ErrorCode& e) { return e.code == code; });
  return it == kTable.end() ? nullptr : &*it;
}

Failure ErrorCodeFor(const Status& status) {
  if (!status.reason().empty()) {
    if (const ErrorCode* known = FindErrorCode(status.reason())) {
      return {std::string(known->code), known->exit_code};
    }
    return {status.reason(), Generic(status.code()).exit_code};
  }
  ErrorCode generic = Generic(status.code());
  return {std::string(generic.code), generic.exit_code};
}

}  // namespace vouch::cli
