// Checkpoints (c2sp.org/tlog-checkpoint@v1.0.0; spec/transparency-log.md §5): a signed note whose
// text is
//
//   <origin>\n            non-empty; SHOULD be a schema-less URL (clients must not assume so)
//   <tree size>\n         decimal, no sign, no leading zeros ("0" for the empty tree)
//   <root hash>\n         base64 of the 32-byte RFC 6962 root
//   [<extension line>\n]  optional, each non-empty (not recommended: not auditable)
//
// Parsing is strict; a checkpoint keeps the exact note bytes, and signatures are always verified
// over the original text. The log's key name usually equals the origin but need not
// (sum.golang.org signs origin "go.sum database tree").
//
// Errors: kInvalidArgument reason "checkpoint_malformed"; note errors as in note.h.
//
// Thread-safety: immutable values, safe to share.
#ifndef VOUCH_TLOG_CHECKPOINT_H_
#define VOUCH_TLOG_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/note.h"

namespace vouch::tlog {

// The body of a checkpoint.
class Checkpoint {
 public:
  // Validates the fields: origin and extension lines non-empty UTF-8 without control characters.
  static StatusOr<Checkpoint> Create(std::string origin, uint64_t size, const Hash& root,
                                     std::vector<std::string> extensions = {});
  // Parses a note text (ending in '\n').
  static StatusOr<Checkpoint> ParseText(std::string_view text);

  const std::string& origin() const { return origin_; }
  uint64_t size() const { return size_; }
  const Hash& root() const { return root_; }
  const std::vector<std::string>& extensions() const { return extensions_; }

  // The note text: "<origin>\n<size>\n<base64 root>\n" followed by the extension lines.
  std::string ToText() const;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;

 private:
  Checkpoint(std::string origin, uint64_t size, const Hash& root,
             std::vector<std::string> extensions)
      : origin_(std::move(origin)), size_(size), root_(root), extensions_(std::move(extensions)) {}
  std::string origin_;
  uint64_t size_;
  Hash root_;
  std::vector<std::string> extensions_;
};

// A checkpoint note as received: the parsed note and its parsed body. Nothing is verified by
// Parse; call Verify with the keys trusted for the origin.
class SignedCheckpoint {
 public:
  static StatusOr<SignedCheckpoint> Parse(std::string_view note);

  const Note& note() const { return note_; }
  const Checkpoint& checkpoint() const { return checkpoint_; }
  const std::string& text() const { return note_.text(); }
  // The exact note bytes.
  std::string Serialize() const { return note_.Serialize(); }

  // Verifies the note against `log_keys` (spec §4.4): at least one trusted signature verifies,
  // every trusted signature line verifies, unknown signatures (e.g. cosignatures) are ignored.
  StatusOr<NoteVerification> Verify(const VerifierSet& log_keys) const;

 private:
  SignedCheckpoint(Note note, Checkpoint checkpoint)
      : note_(std::move(note)), checkpoint_(std::move(checkpoint)) {}
  Note note_;
  Checkpoint checkpoint_;
};

// Signs `checkpoint` with `signers` (normally one Ed25519 log key) and returns the note.
StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                     std::span<const NoteSigner* const> signers);

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_CHECKPOINT_H_
