// The witness protocol as pure logic (c2sp.org/tlog-witness at C2SP commit 5ba5ee8;
// spec/transparency-log.md §7): parsing of the add-checkpoint request body and the decision a
// witness takes given its stored state. Persisting state, locking and HTTP are NOT done here:
//
//   request  = AddCheckpointRequest::Parse(body)         // failure → 400 (RequestParseFailure)
//   prepared = witness.Prepare(request, now)              // signatures: no state, no lock
//   if (prepared.early) reply(*prepared.early)            // 400, 403, 404
//   lock(origin)                                          // one lock or transaction per origin
//     stored   = load(origin)                             // latest cosigned (size, root), or none
//     response = witness.Decide(prepared, stored)         // AddCheckpoint = Prepare + Decide
//     if (response.new_state) persist(origin, *response.new_state)   // BEFORE responding
//   unlock(origin)
//   reply(response.status, response.content_type, response.body)
//
// Request body:
//
//   old <decimal size>\n
//   <base64 hash>\n            0 to 63 consistency-proof lines (RFC 6962 §2.1.2), old → new size
//   \n
//   <checkpoint note>
//
// Checks, in this order (spec §7.2): 400 body does not parse; 404 origin not configured; 403 no
// trusted log signature verifies, or any line by a trusted key does not decode or verify; 400
// old > checkpoint size; 409 old ≠ stored size (body "<stored size>\n", Content-Type
// text/x.tlog.size); 422 size 0 with a root other than SHA-256(""); 422 old 0 with a non-empty
// proof; 422 old < size and the consistency proof from (old, stored root) fails; 422 old == size
// with a different root or a non-empty proof; otherwise 200 with one cosignature line per
// witness key.
//
// Thread-safety: AddCheckpointRequest and Witness are immutable and safe to share; AddCheckpoint
// is a const, pure function (the caller serialises requests per origin).
#ifndef VOUCH_TLOG_WITNESS_H_
#define VOUCH_TLOG_WITNESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/note.h"

namespace vouch::tlog {

inline constexpr size_t kMaxConsistencyProofLines = 63;
// Content-Type of a 409 response.
inline constexpr std::string_view kTlogSizeContentType = "text/x.tlog.size";
// Content-Type of other responses produced here.
inline constexpr std::string_view kWitnessTextContentType = "text/plain; charset=utf-8";
// Largest request body accepted: a maximal note plus the old line and proof.
inline constexpr size_t kMaxAddCheckpointBodySize = kMaxNoteSize + 4096;

// A parsed add-checkpoint request. Immutable.
class AddCheckpointRequest {
 public:
  // Parses the body strictly. Errors are kInvalidArgument with reason
  // "witness_request_malformed" (answer 400). A signature line whose base64 does not decode is
  // not a parse error (it is judged by the signature check, 403).
  static StatusOr<AddCheckpointRequest> Parse(std::string_view body);
  // Builds a request (a log calling a witness).
  static StatusOr<AddCheckpointRequest> Create(uint64_t old_size, std::vector<Hash> proof,
                                               std::string_view checkpoint_note);

  uint64_t old_size() const { return old_size_; }
  const std::vector<Hash>& proof() const { return proof_; }
  const SignedCheckpoint& checkpoint() const { return checkpoint_; }
  std::string Serialize() const;

 private:
  AddCheckpointRequest(uint64_t old_size, std::vector<Hash> proof, SignedCheckpoint checkpoint)
      : old_size_(old_size), proof_(std::move(proof)), checkpoint_(std::move(checkpoint)) {}
  uint64_t old_size_;
  std::vector<Hash> proof_;
  SignedCheckpoint checkpoint_;
};

// A log the witness accepts: its origin and the keys trusted to sign its checkpoints.
struct WitnessLog {
  std::string origin;
  VerifierSet keys;
};

// The witness's stored state for one origin: its latest cosigned checkpoint.
struct WitnessState {
  uint64_t size = 0;
  Hash root{};
  // The checkpoint note as stored: the text, the log signatures that verified and this
  // witness's cosignature(s) (served by the monitoring GET endpoint, spec §7.5).
  std::string note;
};

// The decision for one request.
struct WitnessResponse {
  int status = 0;  // 200, 400, 403, 404, 409 or 422
  std::string content_type;
  // 200: the cosignature lines; 409: "<stored size>\n"; otherwise a one-line explanation.
  std::string body;
  // A stable snake_case reason ("cosigned", "unknown_origin", "signature_invalid",
  // "old_size_beyond_checkpoint", "stale_old_size", "empty_tree_root_invalid",
  // "proof_not_empty", "consistency_proof_invalid", "root_mismatch", "request_malformed").
  std::string reason;
  // Set iff status == 200: the state to persist before responding.
  std::optional<WitnessState> new_state;
};

// A request checked as far as it can be without the stored state (origin, log signatures, old
// size against the checkpoint size) and, when those pass, already cosigned: Witness::Prepare
// does the signature work so that a witness can do it outside its per-origin lock, and
// Witness::Decide finishes with the state. The cosignature is released only by a 200 from
// Decide.
struct PreparedCheckpoint {
  const AddCheckpointRequest* request = nullptr;  // borrowed
  // Set when the request is decided without the state (400, 403 or 404).
  std::optional<WitnessResponse> early;
  // Otherwise: the note as the witness would store it, without its own lines (the checkpoint
  // text and the log signature lines that verified), and its cosignature lines.
  std::string verified_note;
  std::string cosignature_lines;
};

class Witness {
 public:
  // `signers`: the witness's cosigning keys (at least one; one line each in a 200 response).
  // `logs`: the accepted logs, with distinct origins.
  static StatusOr<Witness> Create(std::vector<CosignatureV1Signer> signers,
                                  std::vector<WitnessLog> logs);

  // The configured log with this origin, or nullptr.
  const WitnessLog* FindLog(std::string_view origin) const;
  const std::vector<CosignatureV1Signer>& signers() const { return signers_; }
  const std::vector<WitnessLog>& logs() const { return logs_; }

  // Decides `request` against `stored` (the state for request.checkpoint().checkpoint().origin(),
  // or nullopt if this witness never cosigned that log). `timestamp` is the cosignature time in
  // POSIX seconds and must be non-zero. Returns a non-OK Status only for internal failures
  // (answer 500).
  StatusOr<WitnessResponse> AddCheckpoint(const AddCheckpointRequest& request,
                                          const std::optional<WitnessState>& stored,
                                          uint64_t timestamp) const;
  // AddCheckpoint in two steps (same checks, same order, same responses): Prepare needs no
  // state and does the signature verification and cosigning; Decide compares with `stored`
  // (cheap: at most one consistency-proof check). `request` must outlive the result.
  StatusOr<PreparedCheckpoint> Prepare(const AddCheckpointRequest& request,
                                       uint64_t timestamp) const;
  WitnessResponse Decide(const PreparedCheckpoint& prepared,
                         const std::optional<WitnessState>& stored) const;

  // The 400 response for a body that failed AddCheckpointRequest::Parse.
  static WitnessResponse RequestParseFailure(const Status& parse_error);

 private:
  Witness(std::vector<CosignatureV1Signer> signers, std::vector<WitnessLog> logs)
      : signers_(std::move(signers)), logs_(std::move(logs)) {}
  std::vector<CosignatureV1Signer> signers_;
  std::vector<WitnessLog> logs_;
};

// Lowercase hex SHA-256 of `origin`, the path segment of the monitoring endpoint
// `GET <monitoring prefix>/<origin hash>/checkpoint` (spec §7.5).
std::string OriginHash(std::string_view origin);

// Parses a 409 response body "<decimal>\n" (the log side of the protocol).
StatusOr<uint64_t> ParseTlogSizeBody(std::string_view body);

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_WITNESS_H_
