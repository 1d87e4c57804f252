#include "cli/govern_common.h"

#include <iostream>

#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/build/attest.h"
#include "vouch/constraint/constraint.h"
#include "vouch/http/http_client.h"
#include "vouch/sgx/enclave_info.h"

namespace vouch::cli {

StatusOr<govern::EntryRef> ParseEntryRefArg(std::string_view text) {
  size_t colon = text.find(':');
  auto bad = [&] {
    return InvalidArgumentError("\"" + std::string(text) +
                                "\" is not INDEX:SHA256 (a log index and a 64-hex entry hash)");
  };
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return bad();
  govern::EntryRef ref;
  for (char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return bad();
    ref.index = ref.index * 10 + static_cast<uint64_t>(c - '0');
  }
  std::string_view hex = text.substr(colon + 1);
  if (hex.size() != 64 || std::any_of(hex.begin(), hex.end(), [](char c) {
        return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
      })) {
    return bad();
  }
  ref.sha256 = *HexDecodeArray<32>(hex);
  return ref;
}

StatusOr<UnixSeconds> TimeArgOrNow(const std::string& text) {
  if (text.empty()) return RealClock().Now();
  return ParseTimeArg(text);
}

int ReportStatus(bool json, int exit_code, const std::string& what, const Status& status) {
  Failure failure = ErrorCodeFor(status);
  // I/O stays I/O; otherwise the caller's role decides (docs/error-codes.md, "Governance").
  const int rc = failure.exit_code == kExitIo ? kExitIo : exit_code;
  return ReportFailure(json, rc, failure.code, what, status.message());
}

Json SignerList(const dsse::SignerSet& signers) {
  Json out = Json::array();
  for (const Sha256Digest& d : signers) out.push_back(HexEncode(d));
  return out;
}

StatusOr<int64_t> DurationArg(const std::string& text, const char* option) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() <= 12) {
    return static_cast<int64_t>(std::stoll(text));
  }
  auto d = govern::ParseDuration(text);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(option) +
                                " is a duration such as PT1H or PT30M, or a number of seconds");
  }
  return d;
}

StatusOr<std::optional<Sha256Digest>> RootSetPinArg(const std::string& flag) {
  const std::string text = flag.empty() ? EnvDefault(kEnvRootSetPin).value_or("") : flag;
  if (text.empty()) return std::optional<Sha256Digest>();
  auto pin = HexDecodeArray<32>(text);
  if (!pin.ok()) {
    return InvalidArgumentError(
        std::string(flag.empty() ? "$VOUCH_ROOT_SET_PIN" : "--root-set-pin") +
        " must be 64 hex digits (root set version 1's statement_digest)");
  }
  return std::optional<Sha256Digest>(*pin);
}

StatusOr<std::unique_ptr<CollateralAttester>> CollateralAttester::Create(
    const std::vector<std::string>& trust_roots, const std::vector<std::string>& sim_roots,
    const std::vector<std::string>& collateral_dirs) {
  std::vector<sgx::TrustRoot> roots;
  auto add = [&](const std::vector<std::string>& paths, sgx::TrustRootKind kind) -> Status {
    for (const std::string& path : paths) {
      VOUCH_ASSIGN_OR_RETURN(sgx::TrustRoot root, ReadTrustRoot(path, kind));
      roots.push_back(std::move(root));
    }
    return OkStatus();
  };
  if (trust_roots.empty())
    roots.push_back({sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction});
  VOUCH_RETURN_IF_ERROR(add(trust_roots, sgx::TrustRootKind::kProduction));
  VOUCH_RETURN_IF_ERROR(add(sim_roots, sgx::TrustRootKind::kSimulation));
  VOUCH_ASSIGN_OR_RETURN(auto verifier, sgx::DcapVerifier::Create(std::move(roots)));
  auto attester = std::unique_ptr<CollateralAttester>(new CollateralAttester(std::move(verifier)));
  for (const std::string& dir : collateral_dirs) {
    VOUCH_ASSIGN_OR_RETURN(Sha256Digest hash, build::DirHash1(dir));
    VOUCH_ASSIGN_OR_RETURN(sgx::Collateral collateral, sgx::ReadCollateralDirectory(dir));
    auto [it, added] = attester->by_hash_.emplace(hash, std::move(collateral));
    if (attester->first_ == nullptr) attester->first_ = &it->second;
  }
  return attester;
}

Status CollateralAttester::Attest(const govern::RootDescriptor& root, UnixSeconds at) {
  auto it = by_hash_.find(root.collateral_dir_hash);
  if (it == by_hash_.end()) {
    return NotFoundError("no --collateral directory has dirHash " +
                         HexEncode(root.collateral_dir_hash));
  }
  auto result = verifier_->Verify(root.quote, it->second, {at, false});
  if (!result.ok()) {
    return RejectedError(result.status().reason(), "quote rejected (" + result.status().reason() +
                                                       "): " + result.status().message());
  }
  auto constraint = EnclaveConstraint::Parse(root.constraint);
  if (!constraint.ok()) return constraint.status();
  Status check = constraint->Check(sgx::ToEnclaveInstanceInfo(*result), at);
  if (!check.ok()) return RejectedError(check.reason(), "constraint not met: " + check.message());
  return OkStatus();
}

int ResolveLedgerView(Trust& trust, const std::string& pin, const std::string& max_checkpoint_age,
                      bool json, bool verbose, std::optional<tlog::Policy>* policy,
                      server::LedgerViewOptions* out) {
  if (int rc = ResolveTrust(trust, /*required=*/true, json, verbose, policy); rc != kExitOk) {
    return rc;
  }
  if ((*policy)->quorum() == "none") {
    return ReportFailure(json, codes::kPolicyQuorumNone, "bad --policy",
                         "the policy requires no witness (quorum none): the governance state is "
                         "read from a checkpoint a witness quorum cosigned",
                         "name a quorum of witnesses in the policy");
  }
  auto max_age = DurationArg(max_checkpoint_age, "--max-checkpoint-age");
  if (!max_age.ok()) {
    return ReportFailure(json, codes::kUsage, "bad usage", max_age.status().message());
  }
  auto root_set_pin = RootSetPinArg(pin);
  if (!root_set_pin.ok()) {
    return ReportFailure(json, codes::kUsage, "bad usage", root_set_pin.status().message());
  }
  out->replay.root_set_pin = *root_set_pin;
  out->policy = &**policy;
  out->max_checkpoint_age = *max_age;
  out->clock = &RealClock();
  return kExitOk;
}

int ReadLedgerView(server::LogClient& log, const server::LedgerViewOptions& options, bool json,
                   bool verbose, std::optional<server::LedgerView>* out) {
  Verbose(verbose, "reading the ledger at " + log.base_url());
  auto view = server::SyncLedgerView(log, options, nullptr);
  if (!view.ok()) return ReportStatus(json, "cannot read the ledger", view.status());
  Verbose(verbose, "ledger " + view->checkpoint.origin() + " at size " +
                       std::to_string(view->checkpoint.size()) + ", quorum at " +
                       FormatRfc3339(view->quorum_time));
  out->emplace(*std::move(view));
  return kExitOk;
}

}  // namespace vouch::cli
