// Proof files, c2sp.org/tlog-proof@v1 (spec/transparency-log.md §9).
#include "vouch/tlog/proof_file.h"

#include <string>

#include "tlog/text.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

constexpr size_t kMaxInclusionProofLines = 64;

Status ProofFileMalformed(std::string message) {
  return MalformedError(reasons::kProofFileMalformed,
                        "malformed tlog-proof file: " + std::move(message));
}

// The next line of `text` from `*pos` (without its newline); nullopt if none is terminated.
std::optional<std::string_view> NextLine(std::string_view text, size_t* pos) {
  size_t nl = text.find('\n', *pos);
  if (nl == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view line = text.substr(*pos, nl - *pos);
  *pos = nl + 1;
  return line;
}

}  // namespace

StatusOr<ProofFile> ProofFile::Parse(std::string_view text) {
  if (text.size() > kMaxProofFileSize) {
    return ProofFileMalformed("larger than 1 MiB");
  }
  size_t pos = 0;
  auto line = NextLine(text, &pos);
  if (!line || *line != kProofFileHeader) {
    return ProofFileMalformed("missing expected header line \"c2sp.org/tlog-proof@v1\"");
  }
  line = NextLine(text, &pos);
  std::optional<Bytes> extra;
  if (line && line->substr(0, 6) == "extra ") {
    auto decoded = Base64Decode(line->substr(6));
    if (!decoded.ok()) {
      return ProofFileMalformed("extra data not base64 encoded");
    }
    extra = std::move(*decoded);
    line = NextLine(text, &pos);
  }
  if (!line || line->substr(0, 6) != "index ") {
    return ProofFileMalformed("missing required index line");
  }
  auto index = internal::ParseDecimal(line->substr(6));
  if (!index) {
    return ProofFileMalformed("index " + internal::Quote(line->substr(6)) +
                              " is not a valid uint64 decimal without leading zeros");
  }
  std::vector<Hash> proof;
  while (true) {
    line = NextLine(text, &pos);
    if (!line) {
      return ProofFileMalformed("no empty line before the checkpoint");
    }
    if (line->empty()) {
      break;
    }
    if (proof.size() == kMaxInclusionProofLines) {
      return ProofFileMalformed("more than 64 inclusion proof hashes");
    }
    auto bytes = Base64Decode(*line);
    if (!bytes.ok()) {
      return ProofFileMalformed("inclusion proof hash not base64 encoded (proof line " +
                                std::to_string(proof.size() + 1) + ")");
    }
    if (bytes->size() != kHashSize) {
      return ProofFileMalformed("inclusion proof hash " + std::to_string(proof.size() + 1) +
                                " has hash length " + std::to_string(bytes->size()) + ", want 32");
    }
    proof.push_back(*HashFromBytes(*bytes));
  }
  auto checkpoint = SignedCheckpoint::Parse(text.substr(pos));
  if (!checkpoint.ok()) {
    return ProofFileMalformed(checkpoint.status().message());
  }
  if (*index >= checkpoint->checkpoint().size()) {
    return ProofFileMalformed("index " + std::to_string(*index) +
                              " is not below the checkpoint size " +
                              std::to_string(checkpoint->checkpoint().size()));
  }
  return ProofFile(*index, std::move(proof), std::move(*checkpoint), std::move(extra));
}

StatusOr<ProofFile> ProofFile::Create(uint64_t index, std::vector<Hash> inclusion_proof,
                                      std::string_view checkpoint_note,
                                      std::optional<Bytes> extra) {
  if (inclusion_proof.size() > kMaxInclusionProofLines) {
    return InvalidArgumentError("an inclusion proof has at most 64 hashes");
  }
  VOUCH_ASSIGN_OR_RETURN(SignedCheckpoint cp, SignedCheckpoint::Parse(checkpoint_note));
  if (index >= cp.checkpoint().size()) {
    return InvalidArgumentError("index " + std::to_string(index) +
                                " is not below the checkpoint size " +
                                std::to_string(cp.checkpoint().size()));
  }
  return ProofFile(index, std::move(inclusion_proof), std::move(cp), std::move(extra));
}

std::string ProofFile::Serialize() const {
  std::string out = std::string(kProofFileHeader) + "\n";
  if (extra_) {
    out += "extra " + Base64Encode(*extra_) + "\n";
  }
  out += "index " + std::to_string(index_) + "\n";
  for (const Hash& h : proof_) {
    out += Base64Encode(h) + "\n";
  }
  out += "\n";
  out += checkpoint_.Serialize();
  return out;
}

StatusOr<PolicyVerification> ProofFile::Verify(const Hash& leaf_hash, const Policy& policy) const {
  VOUCH_ASSIGN_OR_RETURN(PolicyVerification result, policy.VerifyCheckpoint(checkpoint_));
  const Checkpoint& cp = checkpoint_.checkpoint();
  VOUCH_RETURN_IF_ERROR(VerifyInclusion(index_, cp.size(), leaf_hash, proof_, cp.root()));
  return result;
}

}  // namespace vouch::tlog
