// X25519 key encodings and key files (RFC 8410, RFC 7468; spec/provisioning.md §0, §1.4):
// the SPKI DER of a public key, its keyid, and the PEM files that
//   openssl genpkey -algorithm X25519 -out key.pem       (PKCS#8 "PRIVATE KEY", mode 0600)
//   openssl pkey -in key.pem -pubout -out key.pub.pem    (SPKI "PUBLIC KEY")
// write, byte for byte. Vouch writes exactly these forms and reads only them:
//
//   SPKI DER    302a300506032b656e032100 ‖ pk[32]                        (44 bytes)
//   PKCS#8 DER  302e020100300506032b656e04220420 ‖ sk[32]                (48 bytes; version 0,
//               no attributes, no public key: what OpenSSL 3.0 writes)
//   keyid       hex(SHA-256(SPKI DER)), 64 lowercase digits
//               (= `openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum`)
//
// PEM is read strictly (RFC 7468 §3, "strict" grammar, LF or CRLF line ends): one block with the
// expected label, no headers, base64 lines of 64 characters but the last, nothing after the END
// line but blank lines. Anything else — another algorithm (an Ed25519 or P-256 key, say), an
// encrypted key, a PKCS#8 v2 key with an embedded public key — is refused with a message that
// says what was found.
//
// Errors: kInvalidArgument with reason "x25519_key_malformed" for every encoding problem;
// kUnavailable / kNotFound from the file functions when a file cannot be read or written.
//
// Thread-safe free functions.
#ifndef VOUCH_CRYPTO_X25519_KEYS_H_
#define VOUCH_CRYPTO_X25519_KEYS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/x25519.h"

namespace vouch {

inline constexpr size_t kX25519SpkiSize = 44;
inline constexpr size_t kX25519Pkcs8Size = 48;
inline constexpr char kReasonX25519KeyMalformed[] = "x25519_key_malformed";

using X25519PublicKey = std::array<uint8_t, 32>;
using X25519Spki = std::array<uint8_t, kX25519SpkiSize>;

// The SPKI DER of `public_key`.
X25519Spki X25519SpkiOf(const X25519PublicKey& public_key);
// The raw key inside an SPKI DER; exactly the 44-byte form above.
StatusOr<X25519PublicKey> X25519PublicKeyFromSpki(ByteSpan der);

// SHA-256 of the SPKI DER (the raw keyid bound into HPKE `info` strings) and its hex form.
Sha256Digest X25519KeyIdDigest(const X25519PublicKey& public_key);
std::string X25519KeyId(const X25519PublicKey& public_key);

// "-----BEGIN PUBLIC KEY-----\n" base64(SPKI) "\n-----END PUBLIC KEY-----\n".
std::string X25519PublicKeyToPem(const X25519PublicKey& public_key);
StatusOr<X25519PublicKey> X25519PublicKeyFromPem(std::string_view pem);

// "-----BEGIN PRIVATE KEY-----\n" base64(PKCS#8) "\n-----END PRIVATE KEY-----\n", as a secret.
SecretBytes X25519PrivateKeyToPem(const X25519PrivateKey& key);
StatusOr<X25519PrivateKey> X25519PrivateKeyFromPem(ByteSpan pem);

// Key files: the private key is written atomically with mode 0600, the public key 0644. Reading
// accepts at most 64 KiB (a key file is under 200 bytes) and wipes what it read.
Status WriteX25519PrivateKeyFile(const std::string& path, const X25519PrivateKey& key);
Status WriteX25519PublicKeyFile(const std::string& path, const X25519PublicKey& public_key);
StatusOr<X25519PrivateKey> ReadX25519PrivateKeyFile(const std::string& path);
StatusOr<X25519PublicKey> ReadX25519PublicKeyFile(const std::string& path);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_X25519_KEYS_H_
