// Internal: the strict field checker of signed JSON payloads (spec/governance.md §2, §3;
// spec/provisioning.md §2.5). A Checker walks a parsed payload field by field; the first failure
// is kept as a kInvalidArgument Status whose message starts with the JSON pointer of the
// offending value (path() returns that pointer alone) and whose reason is the method's code
// (predicate_malformed unless told otherwise; key and constraint checks use their own codes of
// vouch/govern/codes.h). Every method returns false once a check has failed, so a parser can
// chain them with && and return c.status().
//
// Shared with provision/ (envelope payloads), which re-words the reason as its own code; see
// docs/architecture.md, "Boundaries". Thread-compatible.
#ifndef VOUCH_GOVERN_CHECKER_H_
#define VOUCH_GOVERN_CHECKER_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsse/jcs.h"
#include "vouch/base/encoding.h"
#include "vouch/base/status.h"
#include "vouch/constraint/constraint.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"

namespace vouch::govern {

inline constexpr size_t kMaxTypeUriSize = 512;

inline std::string Child(const std::string& path, std::string_view key) {
  return path + "/" + vouch::internal::JsonPointerToken(key);
}

inline std::string Child(const std::string& path, size_t index) {
  return path + "/" + std::to_string(index);
}

inline bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

inline bool IsPrintableAscii(std::string_view s, bool allow_space) {
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return (c > 0x20 && c < 0x7f) || (allow_space && c == ' '); });
}

// A TypeURI: an absolute URI (scheme ":" …) of printable ASCII without spaces.
inline bool IsTypeUri(std::string_view s) {
  if (s.empty() || s.size() > kMaxTypeUriSize || !IsPrintableAscii(s, false)) return false;
  size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.begin() + colon, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
  });
}

// Decodes one UTF-8 scalar; a byte that does not start a complete sequence decodes as itself
// (inputs from the JSON reader are valid UTF-8 already).
inline uint32_t DecodeScalar(std::string_view s, size_t i, size_t* len) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  size_t need = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  bool complete = i + need <= s.size();
  for (size_t k = 1; complete && k < need; ++k) complete = (b(i + k) & 0xC0) == 0x80;
  if (c < 0x80 || !complete || (c & 0xC0) == 0x80 || c >= 0xF8) {
    *len = 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0) {
    *len = 2;
    return ((c & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
  }
  if ((c & 0xF0) == 0xE0) {
    *len = 3;
    return ((c & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
  }
  *len = 4;
  return ((c & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) |
         (b(i + 3) & 0x3Fu);
}

class Checker {
 public:
  bool Fail(const char* code, const std::string& path, const std::string& message) {
    if (status_.ok()) {
      status_ = MalformedError(code, (path.empty() ? std::string("/") : path) + ": " + message);
      path_ = path;
    }
    return false;
  }
  const Status& status() const { return status_; }
  const std::string& path() const { return path_; }

  // `v` is an object whose members are all in `required` (each present) or `optional`.
  bool Object(const nlohmann::json& v, const std::string& path,
              std::initializer_list<std::string_view> required,
              std::initializer_list<std::string_view> optional,
              const char* code = kPredicateMalformed) {
    if (!v.is_object()) return Fail(code, path, "must be an object");
    for (std::string_view r : required) {
      if (!v.contains(r)) return Fail(code, Child(path, r), "required field is missing");
    }
    for (const auto& [key, value] : v.items()) {
      bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                   std::find(optional.begin(), optional.end(), key) != optional.end();
      if (!known) return Fail(code, Child(path, key), "unknown field");
    }
    return true;
  }

  bool String(const nlohmann::json& v, const std::string& path, std::string* out,
              const char* code = kPredicateMalformed) {
    if (!v.is_string()) return Fail(code, path, "must be a string");
    *out = v.get<std::string>();
    return true;
  }

  bool Int(const nlohmann::json& v, const std::string& path, int64_t min, int64_t max,
           int64_t* out) {
    if (!v.is_number_integer()) return Fail(kPredicateMalformed, path, "must be an integer");
    int64_t n = v.get<int64_t>();
    if (n < min || n > max) {
      return Fail(kPredicateMalformed, path,
                  "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = n;
    return true;
  }

  bool Bool(const nlohmann::json& v, const std::string& path, bool* out) {
    if (!v.is_boolean()) return Fail(kPredicateMalformed, path, "must be true or false");
    *out = v.get<bool>();
    return true;
  }

  bool Array(const nlohmann::json& v, const std::string& path, size_t min, size_t max) {
    if (!v.is_array()) return Fail(kPredicateMalformed, path, "must be an array");
    if (v.size() < min || v.size() > max) {
      return Fail(kPredicateMalformed, path,
                  "must have " + std::to_string(min) + " to " + std::to_string(max) +
                      " elements, has " + std::to_string(v.size()));
    }
    return true;
  }

  bool Name(const nlohmann::json& v, const std::string& path, std::string* out) {
    if (!String(v, path, out)) return false;
    if (!IsName(*out))
      return Fail(kPredicateMalformed, path, "must match ^[a-z0-9][a-z0-9._-]{0,63}$");
    return true;
  }

  bool TypeUri(const nlohmann::json& v, const std::string& path, std::string* out) {
    if (!String(v, path, out)) return false;
    if (!IsTypeUri(*out)) {
      return Fail(kPredicateMalformed, path, "must be an absolute URI of at most 512 bytes");
    }
    return true;
  }

  bool Timestamp(const nlohmann::json& v, const std::string& path, UnixSeconds* out) {
    std::string s;
    if (!String(v, path, &s)) return false;
    auto t = ParseTimestamp(s);
    if (!t.ok()) return Fail(kPredicateMalformed, path, t.status().message());
    *out = *t;
    return true;
  }

  bool Duration(const nlohmann::json& v, const std::string& path, std::string* out) {
    if (!String(v, path, out)) return false;
    auto d = ParseDuration(*out);
    if (!d.ok()) return Fail(kPredicateMalformed, path, d.status().message());
    return true;
  }

  bool Hex(const nlohmann::json& v, const std::string& path, size_t digits, std::string* out) {
    if (!String(v, path, out)) return false;
    if (out->size() != digits || !IsLowerHex(*out)) {
      return Fail(kPredicateMalformed, path,
                  "must be " + std::to_string(digits) + " lowercase hex digits");
    }
    return true;
  }

  bool Digest32(const nlohmann::json& v, const std::string& path, std::array<uint8_t, 32>* out) {
    std::string hex;
    if (!Hex(v, path, 64, &hex)) return false;
    *out = *HexDecodeArray<32>(hex);
    return true;
  }

  // {"sha256": hex} exactly.
  bool Sha256Object(const nlohmann::json& v, const std::string& path, Sha256Digest* out) {
    return Object(v, path, {"sha256"}, {}) && Digest32(v["sha256"], Child(path, "sha256"), out);
  }

  bool Text(const nlohmann::json& v, const std::string& path, std::string* out) {
    if (!String(v, path, out)) return false;
    size_t scalars = 0;
    for (size_t i = 0; i < out->size();) {
      size_t len = 0;
      uint32_t cp = DecodeScalar(*out, i, &len);
      if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
        return Fail(kPredicateMalformed, path, "Text must not contain control characters");
      }
      i += len;
      ++scalars;
    }
    if (scalars == 0 || scalars > kMaxTextScalars) {
      return Fail(kPredicateMalformed, path, "Text must have 1 to 200 characters");
    }
    if (auto rule = PersonalDataRule(*out)) {
      return Fail(kPersonalDataSuspected, path,
                  "looks like personal data (" + *rule +
                      "); the ledger carries none: keep it in the operator's register");
    }
    return true;
  }

  bool TextList(const nlohmann::json& v, const std::string& path, size_t min, size_t max,
                std::vector<std::string>* out) {
    if (!Array(v, path, min, max)) return false;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string s;
      if (!Text(v[i], Child(path, i), &s)) return false;
      out->push_back(std::move(s));
    }
    return true;
  }

  bool EntryRefs(const nlohmann::json& v, const std::string& path, size_t min, size_t max,
                 std::vector<EntryRef>* out) {
    if (!Array(v, path, min, max)) return false;
    std::set<EntryRef> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = Child(path, i);
      EntryRef ref;
      int64_t index = 0;
      if (!Object(v[i], p, {"index", "sha256"}, {}) ||
          !Int(v[i]["index"], Child(p, "index"), 0, vouch::internal::kMaxJsonInteger, &index) ||
          !Digest32(v[i]["sha256"], Child(p, "sha256"), &ref.sha256)) {
        return false;
      }
      ref.index = static_cast<uint64_t>(index);
      if (!seen.insert(ref).second) return Fail(kPredicateMalformed, p, "duplicate reference");
      out->push_back(ref);
    }
    return true;
  }

  // Strict base64 of exactly `size` bytes.
  bool Base64Fixed(const nlohmann::json& v, const std::string& path, size_t size, Bytes* out) {
    std::string text;
    if (!String(v, path, &text)) return false;
    auto bytes = Base64Decode(text);
    if (!bytes.ok() || bytes->size() != size) {
      return Fail(kPredicateMalformed, path,
                  "must be strict base64 of exactly " + std::to_string(size) + " bytes");
    }
    *out = std::move(bytes).value();
    return true;
  }

  template <size_t N>
  bool Base64Array(const nlohmann::json& v, const std::string& path, std::array<uint8_t, N>* out) {
    Bytes bytes;
    if (!Base64Fixed(v, path, N, &bytes)) return false;
    std::copy(bytes.begin(), bytes.end(), out->begin());
    return true;
  }

  template <size_t N>
  bool HexArray(const nlohmann::json& v, const std::string& path, std::array<uint8_t, N>* out) {
    std::string hex;
    if (!Hex(v, path, 2 * N, &hex)) return false;
    *out = *HexDecodeArray<N>(hex);
    return true;
  }

  // The parts of a Key object {"keyid": 64 hex, "spki": strict base64}: the keyid as written
  // and the SPKI bytes (parsed and checked against the keyid by the callers below).
  bool KeyParts(const nlohmann::json& v, const std::string& path, std::string* keyid, Bytes* spki) {
    std::string spki_b64;
    if (!Object(v, path, {"keyid", "spki"}, {}) ||
        !Hex(v["keyid"], Child(path, "keyid"), 64, keyid) ||
        !String(v["spki"], Child(path, "spki"), &spki_b64)) {
      return false;
    }
    auto bytes = Base64Decode(spki_b64);
    if (!bytes.ok()) return Fail(kKeyMalformed, Child(path, "spki"), "not strict base64");
    *spki = std::move(bytes).value();
    return true;
  }

  bool KeyIdMatches(const std::string& path, const std::string& written,
                    const std::string& computed) {
    if (written == computed) return true;
    return Fail(kKeyidMismatch, Child(path, "keyid"),
                "is not the SHA-256 of the SPKI (" + computed + ")");
  }

  // An X25519 Key = {"keyid": hex, "spki": base64 of the 44-byte RFC 8410 SPKI}.
  bool X25519KeyObject(const nlohmann::json& v, const std::string& path, X25519Key* out) {
    std::string keyid;
    Bytes spki;
    if (!KeyParts(v, path, &keyid, &spki)) return false;
    auto key = X25519PublicKeyFromSpki(spki);
    if (!key.ok()) return Fail(kKeyMalformed, Child(path, "spki"), key.status().message());
    if (!KeyIdMatches(path, keyid, X25519KeyId(*key))) return false;
    out->key = *key;
    return true;
  }

  // Key = {"keyid": hex, "spki": base64}; keyid must be hex(H(spki)).
  bool KeyObject(const nlohmann::json& v, const std::string& path, Key* out) {
    std::string keyid;
    Bytes spki;
    if (!KeyParts(v, path, &keyid, &spki)) return false;
    auto key = PublicKeyFromSpki(spki);
    if (!key.ok()) return Fail(kKeyMalformed, Child(path, "spki"), key.status().message());
    if (!KeyIdMatches(path, keyid, (*key)->KeyId())) return false;
    out->key = std::move(key).value();
    return true;
  }

  // A canonical Conclave constraint; `parsed` receives it.
  bool Constraint(const nlohmann::json& v, const std::string& path, std::string* out,
                  EnclaveConstraint* parsed) {
    if (!String(v, path, out)) return false;
    auto c = EnclaveConstraint::Parse(*out);
    if (!c.ok()) {
      return Fail(c.status().code() == StatusCode::kInvalidArgument ? kConstraintMalformed
                                                                    : kConstraintInvalid,
                  path, c.status().message());
    }
    if (c->ToString() != *out) {
      return Fail(kConstraintNotCanonical, path,
                  "not in canonical form; write \"" + c->ToString() + "\"");
    }
    for (const auto* set : {&c->acceptable_code_hashes(), &c->acceptable_signers()}) {
      for (const Bytes& h : *set) {
        if (h.size() != 32) {
          return Fail(kConstraintNotAllowed, path,
                      "C: and S: values must be 32-byte SGX measurements, not SHA-512 hashes");
        }
      }
    }
    *parsed = std::move(c).value();
    return true;
  }

  // A DigestSet with accepted algorithms only (§2.2); `code` for subjects vs. predicates.
  bool DigestSet(const nlohmann::json& v, const std::string& path, const char* code,
                 std::vector<std::pair<std::string, std::string>>* out) {
    if (!v.is_object() || v.empty()) return Fail(code, path, "must be a non-empty DigestSet");
    for (const auto& [alg, value] : v.items()) {
      if (!value.is_string() || !IsAcceptedDigest(alg, value.get_ref<const std::string&>())) {
        return Fail(code, Child(path, alg),
                    "digest algorithm \"" + alg +
                        "\" is not accepted in the ledger, or its value is not lowercase hex of "
                        "the right length (sha256, gitCommit, dirHash, sgxMrenclave, "
                        "sgxMrsigner)");
      }
      out->emplace_back(alg, value.get<std::string>());
    }
    return true;
  }

 private:
  Status status_;
  std::string path_;
};

}  // namespace vouch::govern

#endif  // VOUCH_GOVERN_CHECKER_H_
