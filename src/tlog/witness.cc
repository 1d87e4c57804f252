// Witness protocol decisions (c2sp.org/tlog-witness @ C2SP 5ba5ee8; spec/transparency-log.md §7).
#include "vouch/tlog/witness.h"

#include <algorithm>
#include <string>

#include "tlog/text.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

Status RequestMalformed(std::string message) {
  return MalformedError(reasons::kWitnessRequestMalformed,
                        "malformed add-checkpoint request: " + std::move(message));
}

WitnessResponse Reply(int status, std::string reason, std::string message) {
  WitnessResponse r;
  r.status = status;
  r.reason = std::move(reason);
  r.content_type = std::string(kWitnessTextContentType);
  r.body = std::move(message) + "\n";
  return r;
}

}  // namespace

StatusOr<AddCheckpointRequest> AddCheckpointRequest::Parse(std::string_view body) {
  if (body.size() > kMaxAddCheckpointBodySize) {
    return RequestMalformed("body larger than " + std::to_string(kMaxAddCheckpointBodySize) +
                            " bytes");
  }
  size_t nl = body.find('\n');
  if (nl == std::string_view::npos) {
    return RequestMalformed("no \"old <size>\" line");
  }
  std::string_view old_line = body.substr(0, nl);
  if (old_line.substr(0, 4) != "old ") {
    return RequestMalformed("the first line must be \"old <size>\", got " +
                            internal::Quote(old_line));
  }
  auto old_size = internal::ParseDecimal(old_line.substr(4));
  if (!old_size) {
    return RequestMalformed("the old size " + internal::Quote(old_line.substr(4)) +
                            " is not a decimal number without sign or leading zeros");
  }
  size_t pos = nl + 1;
  std::vector<Hash> proof;
  while (true) {
    nl = body.find('\n', pos);
    if (nl == std::string_view::npos) {
      return RequestMalformed("no empty line between the consistency proof and the checkpoint");
    }
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) {
      break;
    }
    if (proof.size() == kMaxConsistencyProofLines) {
      return RequestMalformed("more than " + std::to_string(kMaxConsistencyProofLines) +
                              " consistency proof lines");
    }
    auto h = HashFromBase64(line, "consistency proof line " + std::to_string(proof.size() + 1));
    if (!h.ok()) {
      return RequestMalformed(h.status().message());
    }
    proof.push_back(*h);
  }
  auto checkpoint = SignedCheckpoint::Parse(body.substr(pos));
  if (!checkpoint.ok()) {
    return RequestMalformed(checkpoint.status().message());
  }
  return AddCheckpointRequest(*old_size, std::move(proof), std::move(*checkpoint));
}

StatusOr<AddCheckpointRequest> AddCheckpointRequest::Create(uint64_t old_size,
                                                            std::vector<Hash> proof,
                                                            std::string_view checkpoint_note) {
  if (proof.size() > kMaxConsistencyProofLines) {
    return InvalidArgumentError("a consistency proof has at most 63 hashes");
  }
  VOUCH_ASSIGN_OR_RETURN(SignedCheckpoint cp, SignedCheckpoint::Parse(checkpoint_note));
  return AddCheckpointRequest(old_size, std::move(proof), std::move(cp));
}

std::string AddCheckpointRequest::Serialize() const {
  std::string out = "old " + std::to_string(old_size_) + "\n";
  for (const Hash& h : proof_) {
    out += Base64Encode(h) + "\n";
  }
  out += "\n";
  out += checkpoint_.Serialize();
  return out;
}

StatusOr<Witness> Witness::Create(std::vector<CosignatureV1Signer> signers,
                                  std::vector<WitnessLog> logs) {
  if (signers.empty()) {
    return InvalidArgumentError("a witness needs at least one cosigning key");
  }
  for (size_t i = 0; i < logs.size(); ++i) {
    if (logs[i].origin.empty()) {
      return InvalidArgumentError("a witnessed log needs an origin");
    }
    if (logs[i].keys.empty()) {
      return InvalidArgumentError("log " + internal::Quote(logs[i].origin) + " has no keys");
    }
    for (size_t j = 0; j < i; ++j) {
      if (logs[j].origin == logs[i].origin) {
        return InvalidArgumentError("log origin " + internal::Quote(logs[i].origin) +
                                    " is configured twice");
      }
    }
  }
  return Witness(std::move(signers), std::move(logs));
}

const WitnessLog* Witness::FindLog(std::string_view origin) const {
  for (const auto& log : logs_) {
    if (log.origin == origin) {
      return &log;
    }
  }
  return nullptr;
}

WitnessResponse Witness::RequestParseFailure(const Status& parse_error) {
  return Reply(400, "request_malformed", parse_error.message());
}

StatusOr<WitnessResponse> Witness::AddCheckpoint(const AddCheckpointRequest& request,
                                                 const std::optional<WitnessState>& stored,
                                                 uint64_t timestamp) const {
  VOUCH_ASSIGN_OR_RETURN(PreparedCheckpoint prepared, Prepare(request, timestamp));
  return Decide(prepared, stored);
}

StatusOr<PreparedCheckpoint> Witness::Prepare(const AddCheckpointRequest& request,
                                              uint64_t timestamp) const {
  if (timestamp == 0 || timestamp > kMaxCosignatureTimestamp) {
    return InternalError("witness cosignature timestamp must be in 1..2^63-1");
  }
  const SignedCheckpoint& signed_cp = request.checkpoint();
  const Checkpoint& cp = signed_cp.checkpoint();
  PreparedCheckpoint prepared;
  prepared.request = &request;

  // 1. Origin.
  const WitnessLog* log = FindLog(cp.origin());
  if (log == nullptr) {
    prepared.early =
        Reply(404, "unknown_origin", "unknown log origin " + internal::Quote(cp.origin()));
    return prepared;
  }
  // 2. Log signatures (every trusted line must verify; at least one must).
  auto verification = VerifyNote(signed_cp.note(), log->keys);
  if (!verification.ok()) {
    if (verification.status().code() != StatusCode::kPermissionDenied) {
      return verification.status();
    }
    prepared.early = Reply(403, "signature_invalid", verification.status().message());
    return prepared;
  }
  // 3. old must not exceed the checkpoint size.
  if (request.old_size() > cp.size()) {
    prepared.early = Reply(400, "old_size_beyond_checkpoint",
                           "old size " + std::to_string(request.old_size()) +
                               " is larger than the checkpoint size " + std::to_string(cp.size()));
    return prepared;
  }
  // The cosignature (released by Decide only if steps 4-8 pass), and the note to store.
  for (const CosignatureV1Signer& signer : signers_) {
    VOUCH_ASSIGN_OR_RETURN(std::string line, signer.CosignLine(signed_cp.text(), timestamp));
    prepared.cosignature_lines += line;
  }
  prepared.verified_note = signed_cp.text() + "\n";
  const auto& lines = signed_cp.note().signatures();
  const auto& skipped = verification->unverified_lines;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (std::find(skipped.begin(), skipped.end(), i) == skipped.end()) {
      prepared.verified_note += lines[i].Line();
    }
  }
  return prepared;
}

WitnessResponse Witness::Decide(const PreparedCheckpoint& prepared,
                                const std::optional<WitnessState>& stored) const {
  if (prepared.early) return *prepared.early;
  const AddCheckpointRequest& request = *prepared.request;
  const Checkpoint& cp = request.checkpoint().checkpoint();
  const uint64_t old_size = request.old_size();
  // 4. old must be the stored size (0 if nothing stored).
  const uint64_t stored_size = stored ? stored->size : 0;
  if (old_size != stored_size) {
    WitnessResponse r;
    r.status = 409;
    r.reason = "stale_old_size";
    r.content_type = std::string(kTlogSizeContentType);
    r.body = std::to_string(stored_size) + "\n";
    return r;
  }
  // 5. The empty tree has one root.
  if (cp.size() == 0 && cp.root() != EmptyRoot()) {
    return Reply(422, "empty_tree_root_invalid",
                 "a checkpoint of size 0 must have the root SHA-256(\"\")");
  }
  // 6. From 0 no proof is needed, and none may be sent.
  if (old_size == 0 && !request.proof().empty()) {
    return Reply(422, "proof_not_empty", "the consistency proof from size 0 must be empty");
  }
  if (old_size > 0 && old_size < cp.size()) {
    // 7. Consistency from the stored (old, root) to the new checkpoint.
    Status s = VerifyConsistency(old_size, cp.size(), request.proof(), stored->root, cp.root());
    if (!s.ok()) {
      return Reply(422, reasons::kConsistencyProofInvalid, s.message());
    }
  } else if (old_size == cp.size()) {
    // 8. Same size: the same root, and an empty proof.
    if (!request.proof().empty()) {
      return Reply(422, reasons::kConsistencyProofInvalid,
                   "the consistency proof between equal sizes must be empty");
    }
    if (stored && stored->root != cp.root()) {
      return Reply(422, "root_mismatch",
                   "checkpoint of size " + std::to_string(cp.size()) +
                       " has a different root from the one this witness cosigned");
    }
  }
  // 9. Cosigned.
  WitnessResponse r;
  r.status = 200;
  r.reason = "cosigned";
  r.content_type = std::string(kWitnessTextContentType);
  r.body = prepared.cosignature_lines;
  r.new_state = WitnessState{cp.size(), cp.root(), prepared.verified_note + r.body};
  return r;
}

std::string OriginHash(std::string_view origin) { return HexEncode(Sha256(AsBytes(origin))); }

StatusOr<uint64_t> ParseTlogSizeBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return InvalidArgumentError("a text/x.tlog.size body is a decimal and a newline");
  }
  auto v = internal::ParseDecimal(body.substr(0, body.size() - 1));
  if (!v) {
    return InvalidArgumentError("a text/x.tlog.size body is a decimal and a newline");
  }
  return *v;
}

}  // namespace vouch::tlog
