// Signed notes (c2sp.org/signed-note@v1.0.0; spec/transparency-log.md §4): parsing and
// serialisation, verifier keys in Go `note` text form ("<name>+<8 hex key ID>+base64(type ‖
// key)"), key IDs, Ed25519 (type 0x01) signing and verification, and the verification rules of
// spec §4.4.
//
//   <text>                       one or more lines, each ending in "\n"
//   "\n"                         the LAST blank line separates the text from the signatures
//   "— " <name> " " <base64>"\n" one or more; base64(4-byte big-endian key ID ‖ signature)
//
// Notes are kept as their exact bytes: signatures are always checked over the original text,
// never over a re-serialisation. A signature line's base64 is decoded strictly but lazily: a
// line that does not decode is not a parse error; it is ignored unless its key name is that of a
// trusted key, in which case it counts as a signature that does not verify (§4.4 rule 2, §11 #9).
//
// Errors: kInvalidArgument reason "note_malformed" for a note that does not parse;
// kPermissionDenied reasons "note_signature_invalid" (a trusted key's signature does not
// verify), "note_unverified" (no trusted key signed), "note_key_ambiguous".
//
// Thread-safety: Note, VerifierKey, VerifierSet and the verifier/signer classes are immutable
// after construction and safe to share between threads.
#ifndef VOUCH_TLOG_NOTE_H_
#define VOUCH_TLOG_NOTE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/ed25519.h"

namespace vouch::tlog {

// Signature types (spec §4.3): the first byte of a verifier key's key material.
inline constexpr uint8_t kSigTypeEd25519 = 0x01;
inline constexpr uint8_t kSigTypeEcdsa = 0x02;
inline constexpr uint8_t kSigTypeCosignatureV1 = 0x04;
inline constexpr uint8_t kSigTypeRfc6962 = 0x05;
inline constexpr uint8_t kSigTypeSubtreeMlDsa44 = 0x06;

// Limits. Verifiers must accept at least 16 signatures; like Go, this one rejects more than 100.
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxNoteSize = size_t{1} << 20;

// A key name is non-empty UTF-8 without Unicode white space, control characters or '+'.
bool IsValidKeyName(std::string_view name);

// SHA-256(name ‖ 0x0A ‖ type ‖ public_key)[0:4] as a big-endian integer (spec §4.2).
uint32_t ComputeKeyId(std::string_view name, uint8_t type, ByteSpan public_key);

// "%08x" of a key ID.
std::string KeyIdHex(uint32_t key_id);

// A verifier key, "<name>+<8 lowercase hex key ID>+base64(type ‖ public key)". Parsing splits on
// the first two '+' only (base64 may contain '+'). For types 0x01, 0x04 and 0x06 the key ID
// must equal ComputeKeyId and the key length is checked (32, 32, 1312 bytes); other types are
// carried opaquely (their key IDs are computed differently, e.g. 0x02).
class VerifierKey {
 public:
  static StatusOr<VerifierKey> Parse(std::string_view vkey);
  // Computes the key ID for types 0x01, 0x04 and 0x06.
  static StatusOr<VerifierKey> Create(std::string_view name, uint8_t type, ByteSpan public_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  uint8_t type() const { return type_; }
  const Bytes& public_key() const { return public_key_; }
  // The canonical text form.
  std::string ToString() const;

  friend bool operator==(const VerifierKey&, const VerifierKey&) = default;

 private:
  VerifierKey(std::string name, uint32_t key_id, uint8_t type, Bytes public_key)
      : name_(std::move(name)), key_id_(key_id), type_(type), public_key_(std::move(public_key)) {}
  std::string name_;
  uint32_t key_id_;
  uint8_t type_;
  Bytes public_key_;
};

// Checks one kind of note signature by one key.
class NoteVerifier {
 public:
  virtual ~NoteVerifier() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // Whether a signature line naming `name` with key ID `key_id` claims to be by this key
  // (default: both equal, §4.4 rule 1).
  virtual bool Matches(std::string_view line_name, uint32_t line_key_id) const {
    return line_name == name() && line_key_id == key_id();
  }
  // Whether a line named `line_name` whose base64 does not decode counts as a failed signature
  // by this key (default: the names are equal, §4.4 rule 2).
  virtual bool ClaimsName(std::string_view line_name) const { return line_name == name(); }
  // Verifies `signature` (the decoded bytes after the 4-byte key ID) over the note text `text`.
  // OK, or kPermissionDenied.
  virtual Status Verify(ByteSpan text, ByteSpan signature) const = 0;
  // A human-readable identity for messages: "<name>+<hex key ID>".
  std::string Describe() const { return name() + "+" + KeyIdHex(key_id()); }
};

// Ed25519 note signatures (type 0x01): Ed25519 over the note text.
class Ed25519NoteVerifier final : public NoteVerifier {
 public:
  static StatusOr<std::shared_ptr<const Ed25519NoteVerifier>> Create(std::string_view name,
                                                                     ByteSpan public_key);
  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  Status Verify(ByteSpan text, ByteSpan signature) const override;
  const Ed25519PublicKey& public_key() const { return key_; }

 private:
  Ed25519NoteVerifier(std::string name, uint32_t key_id, Ed25519PublicKey key)
      : name_(std::move(name)), key_id_(key_id), key_(std::move(key)) {}
  std::string name_;
  uint32_t key_id_;
  Ed25519PublicKey key_;
};

// A verifier for a parsed key: type 0x01 (Ed25519NoteVerifier) or 0x04 (CosignatureV1Verifier,
// cosignature.h). Other types are kUnimplemented, naming the type.
StatusOr<std::shared_ptr<const NoteVerifier>> NewNoteVerifier(const VerifierKey& key);
// Parse + NewNoteVerifier.
StatusOr<std::shared_ptr<const NoteVerifier>> ParseNoteVerifier(std::string_view vkey);

// Produces note signatures.
// Signs notes with one key. Abstract, so that a key held elsewhere (inside an enclave, by a
// remote signer) can sign notes: the Sequencer takes this interface.
class NoteSigner {
 public:
  virtual ~NoteSigner() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // The verifier key that checks this signer's signatures.
  virtual VerifierKey verifier_key() const = 0;
  // The signature bytes (without the key ID) over `text`.
  virtual StatusOr<Bytes> Sign(ByteSpan text) const = 0;
};

// Ed25519 note signer (type 0x01). Deterministic (RFC 8032).
class Ed25519NoteSigner final : public NoteSigner {
 public:
  static StatusOr<Ed25519NoteSigner> FromSeed(std::string_view name, ByteSpan seed32);
  static StatusOr<Ed25519NoteSigner> Generate(std::string_view name);
  // Go's private key text "PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 ‖ seed)" (golang.org/x/
  // mod/sumdb/note; not part of the C2SP spec). Split on the first four '+'.
  static StatusOr<Ed25519NoteSigner> ParseGoPrivateKey(std::string_view skey);

  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  StatusOr<Bytes> Sign(ByteSpan text) const override;
  // The matching verifier key (type 0x01).
  VerifierKey verifier_key() const override;
  // The Go private key text. Secret: never log it.
  SecretBytes GoPrivateKey() const;

 private:
  Ed25519NoteSigner(std::string name, uint32_t key_id, Ed25519PrivateKey key)
      : name_(std::move(name)), key_id_(key_id), key_(std::move(key)) {}
  std::string name_;
  uint32_t key_id_;
  Ed25519PrivateKey key_;
};

// One signature line of a note.
struct NoteSignature {
  std::string key_name;
  std::string base64;    // verbatim from the line
  bool decoded = false;  // base64 decoded strictly to at least 5 bytes
  uint32_t key_id = 0;   // when decoded
  Bytes signature;       // when decoded: the bytes after the key ID
  // The line, "— <name> <base64>\n".
  std::string Line() const;
};

// Formats a signature line from its parts.
std::string FormatSignatureLine(std::string_view key_name, uint32_t key_id, ByteSpan signature);

// A parsed note. Immutable.
class Note {
 public:
  // Parses the note structure (§4.1): valid UTF-8 without control characters other than '\n';
  // split at the last "\n\n"; a non-empty signature block of well-formed lines (at most
  // kMaxNoteSignatures); at most kMaxNoteSize bytes. Signatures are not verified here.
  static StatusOr<Note> Parse(std::string_view note);

  // The signed text, including its final '\n'.
  const std::string& text() const { return text_; }
  const std::vector<NoteSignature>& signatures() const { return signatures_; }
  // The exact bytes parsed: text ‖ "\n" ‖ signature lines.
  std::string Serialize() const;

 private:
  Note(std::string text, std::vector<NoteSignature> signatures)
      : text_(std::move(text)), signatures_(std::move(signatures)) {}
  std::string text_;
  std::vector<NoteSignature> signatures_;
};

// A set of trusted keys. Two keys with the same (name, key ID) are ambiguous and rejected.
class VerifierSet {
 public:
  VerifierSet() = default;
  static StatusOr<VerifierSet> Create(std::vector<std::shared_ptr<const NoteVerifier>> verifiers);
  const std::vector<std::shared_ptr<const NoteVerifier>>& verifiers() const { return verifiers_; }
  bool empty() const { return verifiers_.empty(); }

 private:
  explicit VerifierSet(std::vector<std::shared_ptr<const NoteVerifier>> v)
      : verifiers_(std::move(v)) {}
  std::vector<std::shared_ptr<const NoteVerifier>> verifiers_;
};

// The outcome of a successful verification.
struct NoteVerification {
  // Indices into VerifierSet::verifiers() of the keys with at least one verified signature,
  // each once, in the order first seen.
  std::vector<size_t> verified;
  // Indices into Note::signatures() of lines from keys outside the set (ignored).
  std::vector<size_t> unverified_lines;
  bool IsVerifiedBy(size_t verifier_index) const;
};

// Verifies `note` against `keys` with the rules of spec §4.4: lines from unknown keys are
// ignored; every line by a trusted key must decode and verify (repeats included), or the note is
// rejected ("note_signature_invalid"); at least one trusted signature must verify
// ("note_unverified"). A line matching two keys is "note_key_ambiguous".
StatusOr<NoteVerification> VerifyNote(const Note& note, const VerifierSet& keys);

// Signs `text` with every signer in order and returns the note. `text` must be non-empty, end in
// '\n', be valid UTF-8 without control characters other than '\n', and signers' names valid.
StatusOr<std::string> SignNote(std::string_view text, std::span<const NoteSigner* const> signers);

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_NOTE_H_
