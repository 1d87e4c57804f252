// Checkpoints, c2sp.org/tlog-checkpoint@v1.0.0 (spec/transparency-log.md §5).
#include "vouch/tlog/checkpoint.h"

#include <string>

#include "tlog/text.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

Status CheckpointMalformed(std::string message) {
  return MalformedError(reasons::kCheckpointMalformed,
                        "malformed checkpoint: " + std::move(message));
}

Status CheckLine(std::string_view line, std::string_view what) {
  if (line.empty()) {
    return CheckpointMalformed(std::string(what) + " is empty");
  }
  for (char c : line) {
    if (static_cast<uint8_t>(c) < 0x20) {
      return CheckpointMalformed(std::string(what) + " contains a control character");
    }
  }
  if (!internal::IsValidUtf8(line)) {
    return CheckpointMalformed(std::string(what) + " is not valid UTF-8");
  }
  return OkStatus();
}

}  // namespace

StatusOr<Checkpoint> Checkpoint::Create(std::string origin, uint64_t size, const Hash& root,
                                        std::vector<std::string> extensions) {
  VOUCH_RETURN_IF_ERROR(CheckLine(origin, "the origin line"));
  for (const auto& e : extensions) {
    VOUCH_RETURN_IF_ERROR(CheckLine(e, "an extension line"));
  }
  return Checkpoint(std::move(origin), size, root, std::move(extensions));
}

StatusOr<Checkpoint> Checkpoint::ParseText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return CheckpointMalformed("the text must end in a newline");
  }
  std::vector<std::string_view> lines = internal::SplitLines(text);
  if (lines.size() < 3) {
    return CheckpointMalformed("expected at least 3 lines (origin, size, root hash), got " +
                               std::to_string(lines.size()));
  }
  VOUCH_RETURN_IF_ERROR(CheckLine(lines[0], "the origin line"));
  auto size = internal::ParseDecimal(lines[1]);
  if (!size) {
    return CheckpointMalformed("the size line " + internal::Quote(lines[1]) +
                               " is not a decimal number without sign or leading zeros");
  }
  auto root = HashFromBase64(lines[2], "the root hash");
  if (!root.ok()) {
    return CheckpointMalformed(root.status().message());
  }
  std::vector<std::string> extensions;
  for (size_t i = 3; i < lines.size(); ++i) {
    VOUCH_RETURN_IF_ERROR(CheckLine(lines[i], "extension line " + std::to_string(i - 2)));
    extensions.emplace_back(lines[i]);
  }
  return Checkpoint(std::string(lines[0]), *size, *root, std::move(extensions));
}

std::string Checkpoint::ToText() const {
  std::string out = origin_ + "\n" + std::to_string(size_) + "\n" + Base64Encode(root_) + "\n";
  for (const auto& e : extensions_) {
    out += e + "\n";
  }
  return out;
}

StatusOr<SignedCheckpoint> SignedCheckpoint::Parse(std::string_view note) {
  VOUCH_ASSIGN_OR_RETURN(Note parsed, Note::Parse(note));
  VOUCH_ASSIGN_OR_RETURN(Checkpoint body, Checkpoint::ParseText(parsed.text()));
  return SignedCheckpoint(std::move(parsed), std::move(body));
}

StatusOr<NoteVerification> SignedCheckpoint::Verify(const VerifierSet& log_keys) const {
  auto v = VerifyNote(note_, log_keys);
  if (!v.ok()) {
    return v.status().WithContext("checkpoint of " + internal::Quote(checkpoint_.origin()));
  }
  return v;
}

StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                     std::span<const NoteSigner* const> signers) {
  return SignNote(checkpoint.ToText(), signers);
}

}  // namespace vouch::tlog
