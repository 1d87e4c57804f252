// Hints beside Conclave's constraint messages (hints.h). Each value is judged by the real
// parser, on a one-token constraint, so that a hint can never disagree with Parse().
#include "vouch/constraint/hints.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "constraint/common.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

constexpr std::string_view kLevels[] = {"SECURE", "STALE", "INSECURE"};
constexpr char kKeyList[] = "keys are C, S, PROD, REVOKE, SEC and EXPIRE, upper case";
// A valid code hash, to complete one-token constraints.
constexpr char kAnyHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance (Levenshtein with adjacent transpositions).
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  std::vector<std::string> near = NearestWords(word, candidates);
  if (near.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < near.size(); ++i) {
    if (i > 0) out += i + 1 == near.size() ? " or " : ", ";
    out += near[i];
  }
  return out + "?)";
}

bool Parses(const std::string& descriptor) {
  return EnclaveConstraint::Parse(descriptor, /*check_validity=*/false).ok();
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The hint for the value of a C or S token.
std::string HashHint(std::string_view key, std::string_view value) {
  std::string what = key == "C" ? "C takes a code hash (MRENCLAVE)" : "S takes a signer (MRSIGNER)";
  what += ": 64 hex digits, as 'vouch sgx verify' or 'vouch measure' print it";
  if (value.size() != 64 && value.size() != 128) {
    return what + "; " + Quoted(value) + " has " + std::to_string(value.size()) + " characters";
  }
  auto bad = std::find_if_not(value.begin(), value.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (bad == value.end()) return what;
  return what + "; '" + std::string(1, *bad) + "' is not a hex digit";
}

std::string IntHint(std::string_view key, std::string_view value) {
  if (key == "PROD") {
    return "PROD is the product ID (ISVPRODID): a decimal number from 0 to 65535, e.g. PROD:1; "
           "got " +
           Quoted(value);
  }
  return "REVOKE is the minimum revocation level (an enclave's level is its ISVSVN minus 1): a "
         "decimal number from 0 to 2147483647, e.g. REVOKE:2; got " +
         Quoted(value);
}

std::string SecHint(std::string_view value) {
  return "SEC must be SECURE, STALE or INSECURE, in upper case" + DidYouMean(value, kLevels);
}

std::string ExpireHint(std::string_view value) {
  std::string hint =
      "EXPIRE is an ISO-8601 period of years, months, weeks and days counted from the "
      "attestation's timestamp, e.g. EXPIRE:P30D, EXPIRE:P6M or EXPIRE:P1Y2M3W4D (no times such "
      "as PT1H)";
  if (!value.empty() && value[0] != 'P' && value[0] != 'p' &&
      Parses("EXPIRE:P" + std::string(value))) {
    hint += " (did you mean P" + std::string(value) + "?)";
  } else if (!value.empty() &&
             std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    hint += " (did you mean P" + std::string(value) + "D?)";
  }
  return hint;
}

// The hint for one KEY:VALUE token, or "" when it parses.
std::string ValueHint(std::string_view key, std::string_view value) {
  const std::string v(value);
  if (key == "C" || key == "S") {
    return Parses(std::string(key) + ":" + v) ? "" : HashHint(key, value);
  }
  if (Parses(std::string("C:") + kAnyHash + " " + std::string(key) + ":" + v)) return "";
  if (key == "PROD" || key == "REVOKE") return IntHint(key, value);
  if (key == "SEC") return SecHint(value);
  return ExpireHint(value);
}

}  // namespace

std::vector<std::string> NearestWords(std::string_view word,
                                      std::span<const std::string_view> candidates) {
  const std::string w = Lower(word);
  if (w.empty()) return {};
  const size_t limit = w.size() <= 4 ? 1 : 2;
  size_t best = limit + 1;
  std::vector<std::string> out;
  for (std::string_view candidate : candidates) {
    const std::string c = Lower(candidate);
    size_t d = c.starts_with(w) ? std::min<size_t>(1, EditDistance(w, c)) : EditDistance(w, c);
    if (d > limit || d > best) continue;
    if (d < best) out.clear();
    best = d;
    out.emplace_back(candidate);
  }
  return out;
}

std::string ConstraintParseHint(std::string_view descriptor) {
  if (Parses(std::string(descriptor))) {
    if (EnclaveConstraint::Parse(descriptor).ok()) return "";
  }
  // Only U+0020 separates tokens; a newline (say, from a file) sticks to the last value.
  if (descriptor.find_first_of("\n\r\t") != std::string_view::npos) {
    return std::string("the constraint contains a ") +
           (descriptor.find_first_of("\n\r") != std::string_view::npos ? "line break" : "tab") +
           ", but only spaces separate its tokens (remove it, e.g. \"$(tr -d '\\n' < FILE)\")";
  }
  std::vector<std::pair<std::string_view, std::string_view>> tokens;
  size_t pos = 0;
  while (pos <= descriptor.size()) {
    size_t end = std::min(descriptor.find(' ', pos), descriptor.size());
    std::string_view piece = descriptor.substr(pos, end - pos);
    pos = end + 1;
    if (piece.empty()) continue;
    size_t colon = piece.find(':');
    if (colon == std::string_view::npos || piece.find(':', colon + 1) != std::string_view::npos) {
      std::string hint = "each token is KEY:VALUE with one ':', e.g. PROD:1; " + Quoted(piece) +
                         (colon == std::string_view::npos ? " has none" : " has several");
      size_t eq = piece.find('=');
      if (colon == std::string_view::npos && eq != std::string_view::npos) {
        hint += " (write " + std::string(piece.substr(0, eq)) + ":" +
                std::string(piece.substr(eq + 1)) + ")";
      }
      return hint;
    }
    tokens.emplace_back(piece.substr(0, colon), piece.substr(colon + 1));
  }
  if (tokens.empty()) {
    return "the constraint is empty: give at least C:<MRENCLAVE>, or S:<MRSIGNER> with "
           "PROD:<product id>";
  }
  for (const auto& [key, value] : tokens) {
    if (constraint_internal::IsEnclaveKey(key)) continue;
    return "unknown key " + (key.empty() ? std::string("\"\"") : std::string(key)) +
           DidYouMean(key, constraint_internal::kEnclaveKeys) + "; " + kKeyList;
  }
  for (std::string_view key : constraint_internal::kEnclaveKeys) {
    // As Parse(): a second PROD, REVOKE, SEC or EXPIRE is reported before either value.
    auto count =
        std::count_if(tokens.begin(), tokens.end(), [&](const auto& t) { return t.first == key; });
    if (count > 1 && key != "C" && key != "S") return std::string(key) + " may be given only once";
    for (const auto& [k, value] : tokens) {
      if (k != key) continue;
      if (std::string hint = ValueHint(key, value); !hint.empty()) return hint;
    }
  }
  auto has = [&](std::string_view key) {
    return std::any_of(tokens.begin(), tokens.end(), [&](const auto& t) { return t.first == key; });
  };
  if (!has("C") && !has("S")) {
    return "say which enclaves are acceptable: C:<MRENCLAVE> (this exact build) or "
           "S:<MRSIGNER> PROD:<product id> (any build by this signer)";
  }
  if (has("S") && !has("PROD")) {
    return "S needs PROD, the product ID the signer's enclave must have, e.g. PROD:0";
  }
  if (has("PROD") && !has("S")) return "PROD applies to S: add S:<MRSIGNER> or remove PROD";
  return "";
}

std::string ConstraintCheckHint(const EnclaveConstraint& constraint,
                                const EnclaveInstanceInfo& info, const Status& rejection) {
  const std::string& reason = rejection.reason();
  if (reason == constraint::reasons::kSecurityLevelTooLow) {
    switch (info.mode) {
      case EnclaveMode::kSimulation:
        return "a simulated enclave is always INSECURE (as in Conclave), so it fails the default "
               "SEC:STALE; to accept simulated evidence while testing, require SEC:INSECURE";
      case EnclaveMode::kDebug:
        return "a debug enclave is always INSECURE: its memory can be read by the host; trust a "
               "build without DEBUG, or require SEC:INSECURE for testing";
      case EnclaveMode::kMock:
        return "a mock enclave is always INSECURE; require SEC:INSECURE for testing";
      case EnclaveMode::kRelease:
        break;
    }
    return "the platform is " + std::string(SecuritySummaryName(info.security.summary)) + " (" +
           info.security.reason +
           "); SEC:STALE accepts it, or bring the platform's TCB up to date and verify with "
           "fresh collateral";
  }
  if (reason == constraint::reasons::kSecurityLevelMismatch) {
    return "SEC:INSECURE accepts INSECURE enclaves only (an exact match, since Conclave 1.4); "
           "leave SEC out to accept STALE and SECURE ones";
  }
  if (reason == constraint::reasons::kProductIdMismatch) {
    return "PROD must equal the enclave's product ID (ISVPRODID), which is " +
           std::to_string(info.product_id);
  }
  if (reason == constraint::reasons::kRevocationLevelTooLow) {
    return "REVOKE:" + std::to_string(constraint.min_revocation_level().value_or(0)) +
           " needs an ISVSVN of at least " +
           std::to_string(int64_t{constraint.min_revocation_level().value_or(0)} + 1) +
           "; this enclave's is " + std::to_string(info.isv_svn);
  }
  if (reason == constraint::reasons::kAttestationTooOld) {
    return "EXPIRE counts from the attestation's security timestamp (" +
           FormatRfc3339(info.security.timestamp) +
           "): verify again with fresh collateral, or at an earlier --at";
  }
  if (reason == constraint::reasons::kCodeHashMismatch ||
      reason == constraint::reasons::kCodeSignerMismatch ||
      reason == constraint::reasons::kCodeHashAndSignerMismatch) {
    return "this enclave (MRENCLAVE " + HexEncodeUpper(info.code_hash) + ", MRSIGNER " +
           HexEncodeUpper(info.code_signer) +
           ") is not one the constraint names; compare with 'vouch measure' of the build you "
           "meant to trust";
  }
  return "";
}

}  // namespace vouch
