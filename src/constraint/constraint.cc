// The constraint DSL parser, canonical form and check(), following spec/constraint-dsl.md
// §2-§6 and §10 step by step (reference: Conclave's EnclaveConstraint.kt).
#include "vouch/constraint/constraint.h"

#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "constraint/common.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

constexpr const char* kMalformed = constraint::reasons::kConstraintMalformed;
constexpr const char* kInvalid = constraint::reasons::kConstraintInvalid;

Status Malformed(std::string message) { return MalformedError(kMalformed, std::move(message)); }

Status Invalid(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message), kInvalid);
}

// Values of one key, in string order.
struct KeyValues {
  std::string_view key;
  std::vector<std::string_view> values;
};

// Length of `s` in UTF-16 code units, as java.lang.String.length() counts it: one unit per
// UTF-8 sequence, two for a 4-byte sequence. Invalid UTF-8 is counted leniently (one unit per
// byte that is not a continuation byte); it can never be a valid hash either way.
size_t JavaLength(std::string_view s) {
  size_t n = 0;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) == 0x80) continue;
    n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// SecureHash.parse: the length decides SHA-256 / SHA-512, then the upper-cased text is
// hex-decoded.
StatusOr<Bytes> ParseHash(std::string_view value) {
  size_t length = JavaLength(value);
  if (length != 64 && length != 128) {
    return Malformed("Provided string is neither a SHA-256 or a SHA-512 string: " +
                     std::string(value));
  }
  std::string upper = AsciiUpper(value);
  auto bytes = HexDecode(upper);
  if (!bytes.ok() || (bytes->size() != 32 && bytes->size() != 64)) {
    return Malformed("contains illegal character for hexBinary: " + upper);
  }
  return std::move(bytes).value();
}

// java.lang.Integer.parseInt(value, 10) restricted to ASCII digits (§0.1 #3).
StatusOr<int32_t> ParseJavaInt(std::string_view value) {
  auto error = [&] { return Malformed("For input string: \"" + std::string(value) + "\""); };
  size_t i = 0;
  bool negative = false;
  if (i < value.size() && (value[i] == '+' || value[i] == '-')) {
    negative = value[i] == '-';
    ++i;
  }
  if (i == value.size()) return error();
  int64_t magnitude = 0;
  for (; i < value.size(); ++i) {
    char c = value[i];
    if (c < '0' || c > '9') return error();
    magnitude = magnitude * 10 + (c - '0');
    if (magnitude > int64_t{std::numeric_limits<int32_t>::max()} + 1) return error();
  }
  int64_t v = negative ? -magnitude : magnitude;
  if (v > std::numeric_limits<int32_t>::max()) return error();
  return static_cast<int32_t>(v);
}

// getSingleOrNone: the value of a single-valued key, "More than one <key> defined" otherwise.
StatusOr<std::optional<std::string_view>> SingleOrNone(const std::vector<KeyValues>& groups,
                                                       std::string_view key) {
  for (const KeyValues& g : groups) {
    if (g.key != key) continue;
    if (g.values.size() != 1) return Malformed("More than one " + std::string(key) + " defined");
    return std::optional<std::string_view>(g.values.front());
  }
  return std::optional<std::string_view>();
}

const std::vector<std::string_view>* ValuesOf(const std::vector<KeyValues>& groups,
                                              std::string_view key) {
  for (const KeyValues& g : groups) {
    if (g.key == key) return &g.values;
  }
  return nullptr;
}

std::string JoinHashes(const EnclaveConstraint::HashSet& hashes) {
  std::string out;
  for (const Bytes& h : hashes) {
    if (!out.empty()) out += ", ";
    out += HexEncodeUpper(h);
  }
  return out;
}

bool Contains(const EnclaveConstraint::HashSet& hashes, const Sha256Hash& hash) {
  return hashes.count(Bytes(hash.begin(), hash.end())) != 0;
}

bool IsValidSummary(SecuritySummary s) {
  return s == SecuritySummary::kInsecure || s == SecuritySummary::kStale ||
         s == SecuritySummary::kSecure;
}

Status AddHash(EnclaveConstraint::HashSet& set, ByteSpan hash, std::string_view what) {
  if (hash.size() != 32 && hash.size() != 64) {
    return Malformed(std::string(what) + " must be 32 bytes (SHA-256) or 64 bytes (SHA-512), got " +
                     std::to_string(hash.size()));
  }
  set.insert(Bytes(hash.begin(), hash.end()));
  return OkStatus();
}

}  // namespace

Status EnclaveConstraint::AddCodeHash(ByteSpan hash) {
  return AddHash(code_hashes_, hash, "a code hash");
}

Status EnclaveConstraint::AddSigner(ByteSpan hash) {
  return AddHash(signers_, hash, "a code signer");
}

Status EnclaveConstraint::SetProductId(int32_t product_id) {
  if (product_id < 0) return Malformed("Product ID is negative.");
  if (product_id > 65535) return Malformed("Product ID is not a 16-bit number.");
  product_id_ = product_id;
  return OkStatus();
}

Status EnclaveConstraint::SetMinRevocationLevel(int32_t level) {
  if (level < 0) return Malformed("Min revocation level is negative.");
  min_revocation_level_ = level;
  return OkStatus();
}

Status EnclaveConstraint::SetMinSecurityLevel(SecuritySummary level) {
  if (!IsValidSummary(level)) return Malformed("invalid security level");
  min_security_level_ = level;
  return OkStatus();
}

StatusOr<EnclaveConstraint> EnclaveConstraint::Parse(std::string_view descriptor,
                                                     bool check_validity) {
  // Steps 1 and 2: split on U+0020 only, drop empty pieces, split every piece on ':'.
  VOUCH_ASSIGN_OR_RETURN(auto tokens, constraint_internal::SplitTokens(descriptor));

  // Step 3: group by key in first-seen order; reject unknown keys.
  std::vector<KeyValues> groups;
  std::unordered_map<std::string_view, size_t> group_index;  // linear in the input size
  for (const auto& [key, value] : tokens) {
    auto [it, inserted] = group_index.try_emplace(key, groups.size());
    if (inserted) groups.push_back(KeyValues{key, {}});
    groups[it->second].values.push_back(value);
  }
  std::string unknown;
  bool any_unknown = false;
  for (const KeyValues& g : groups) {
    if (constraint_internal::IsEnclaveKey(g.key)) continue;
    if (any_unknown) unknown += ", ";
    unknown += g.key;
    any_unknown = true;
  }
  if (any_unknown) return Malformed("Unknown keys [" + unknown + "]");

  // Step 4: values in the fixed order C, S, PROD, REVOKE, SEC, EXPIRE.
  EnclaveConstraint c;
  if (const auto* values = ValuesOf(groups, "C")) {
    for (std::string_view v : *values) {
      VOUCH_ASSIGN_OR_RETURN(Bytes hash, ParseHash(v));
      c.code_hashes_.insert(std::move(hash));
    }
  }
  if (const auto* values = ValuesOf(groups, "S")) {
    for (std::string_view v : *values) {
      VOUCH_ASSIGN_OR_RETURN(Bytes hash, ParseHash(v));
      c.signers_.insert(std::move(hash));
    }
  }
  VOUCH_ASSIGN_OR_RETURN(std::optional<std::string_view> prod, SingleOrNone(groups, "PROD"));
  if (prod) {
    VOUCH_ASSIGN_OR_RETURN(int32_t product_id, ParseJavaInt(*prod));
    VOUCH_RETURN_IF_ERROR(c.SetProductId(product_id));
  }
  VOUCH_ASSIGN_OR_RETURN(std::optional<std::string_view> revoke, SingleOrNone(groups, "REVOKE"));
  if (revoke) {
    VOUCH_ASSIGN_OR_RETURN(int32_t level, ParseJavaInt(*revoke));
    VOUCH_RETURN_IF_ERROR(c.SetMinRevocationLevel(level));
  }
  VOUCH_ASSIGN_OR_RETURN(std::optional<std::string_view> sec, SingleOrNone(groups, "SEC"));
  if (sec) {
    std::optional<SecuritySummary> level = SecuritySummaryFromName(*sec);
    if (!level) {
      return Malformed("No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary." +
                       std::string(*sec));
    }
    c.min_security_level_ = *level;
  }
  VOUCH_ASSIGN_OR_RETURN(std::optional<std::string_view> expire, SingleOrNone(groups, "EXPIRE"));
  if (expire) {
    auto period = Period::Parse(*expire);
    if (!period.ok()) return Malformed(period.status().message());
    c.max_attestation_age_ = *period;
  }

  // Step 5.
  if (check_validity) VOUCH_RETURN_IF_ERROR(c.Validate());
  return c;
}

Status EnclaveConstraint::Validate() const {
  if (code_hashes_.empty() && signers_.empty()) {
    return Invalid("Either a code hash or a code signer must be provided.");
  }
  if (product_id_ && signers_.empty()) {
    return Invalid("A code signer must be provided with a product ID.");
  }
  if (!signers_.empty() && !product_id_) {
    return Invalid("A product ID must be provided with a code signer.");
  }
  return OkStatus();
}

Status EnclaveConstraint::Check(const EnclaveInstanceInfo& info, UnixSeconds now) const {
  // Step 1.
  VOUCH_RETURN_IF_ERROR(Validate());

  // Step 2.
  const Sha256Hash& code_hash = info.code_hash;
  const Sha256Hash& signer = info.code_signer;
  if (!code_hashes_.empty() && signers_.empty()) {
    if (!Contains(code_hashes_, code_hash)) {
      // §0.1 #1: the reference omits the closing parenthesis.
      return RejectedError(constraint::reasons::kCodeHashMismatch,
                           "Enclave code hash does not match any of the acceptable code hashes. "
                           "(measurement hash " +
                               HexEncodeUpper(code_hash) + " vs acceptable " +
                               JoinHashes(code_hashes_) + ")");
    }
  } else if (code_hashes_.empty() && !signers_.empty()) {
    if (!Contains(signers_, signer)) {
      return RejectedError(constraint::reasons::kCodeSignerMismatch,
                           "Enclave code signer does not match any of the acceptable code "
                           "signers. (key hash " +
                               HexEncodeUpper(signer) + " vs acceptable " + JoinHashes(signers_) +
                               ")");
    }
  } else if (!Contains(code_hashes_, code_hash) && !Contains(signers_, signer)) {
    return RejectedError(constraint::reasons::kCodeHashAndSignerMismatch,
                         "Enclave does not match any of the acceptable code hashes or code "
                         "signers.");
  }

  // Step 3.
  if (product_id_ && int32_t{info.product_id} != *product_id_) {
    return RejectedError(constraint::reasons::kProductIdMismatch,
                         "Enclave has a product ID of " + std::to_string(info.product_id) +
                             " which does not match the criteria of " +
                             std::to_string(*product_id_) + ".");
  }

  // Step 4.
  if (min_revocation_level_ && info.revocation_level() < *min_revocation_level_) {
    return RejectedError(constraint::reasons::kRevocationLevelTooLow,
                         "Enclave has a revocation level of " +
                             std::to_string(info.revocation_level()) +
                             " which is lower than the required level of " +
                             std::to_string(*min_revocation_level_) + ".");
  }

  // Steps 5 and 6.
  return constraint_internal::CheckSecurityAndAge("Enclave", info.security, min_security_level_,
                                                  max_attestation_age_, now);
}

std::string EnclaveConstraint::ToString() const {
  std::string out;
  auto add = [&out](const std::string& token) {
    if (!out.empty()) out += ' ';
    out += token;
  };
  for (const Bytes& h : code_hashes_) add("C:" + HexEncodeUpper(h));
  for (const Bytes& h : signers_) add("S:" + HexEncodeUpper(h));
  if (product_id_) add("PROD:" + std::to_string(*product_id_));
  if (min_revocation_level_) add("REVOKE:" + std::to_string(*min_revocation_level_));
  if (max_attestation_age_) add("EXPIRE:" + max_attestation_age_->ToString());
  add("SEC:" + std::string(SecuritySummaryName(min_security_level_)));
  return out;
}

}  // namespace vouch
