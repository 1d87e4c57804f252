// An Ed25519 signing key that lives inside an enclave (spec/governance.md §3.3; DESIGN.md §3):
// generated there from the crypto module's randomness, kept across restarts sealed to the
// enclave's MRENCLAVE (seal/seal.h) in one file, and bound to the enclave by a quote whose
// report data is
//
//   SHA-256(tag ‖ SPKI DER) ‖ 32 zero bytes        (root keys: tag "vouch-root-key/v1")
//
// so that anyone can check with `vouch sgx verify` that the key was made by that measurement.
// The root service uses it; the broker keeps its two keys in one such file (BrokerKeys, below).
//
// The sealed file (docs/formats/sealed-key.md) is one seal/ blob (policy MRENCLAVE) of the
// 32-byte RFC 8032 seed, with associated data "vouch-sealed-key/v1:" ‖ purpose, written
// atomically with mode 0600 and read only when owner-only (base/file.h ReadPrivateFile).
//
// A file that exists but does not unseal — another measurement, another platform, a damaged or
// truncated blob, one sealed for another purpose — is an error carrying seal/'s reason
// ("seal_identity_mismatch", "seal_open_failed", "sealed_blob_malformed", …), never a reason to
// make a new key: replacing a root's key silently would change the key the ledger admitted.
//
// Thread-safety: after LoadOrCreate, the accessors and signer() are thread-safe;
// BindingQuote() asks the platform and is thread-compatible.
#ifndef VOUCH_SERVER_ENCLAVE_KEY_H_
#define VOUCH_SERVER_ENCLAVE_KEY_H_

#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519.h"
#include "vouch/govern/statement.h"
#include "vouch/platform/platform.h"

namespace vouch::server {

// The start of a sealed key's associated data; the purpose ("root", "broker") follows.
inline constexpr char kSealedKeyAadPrefix[] = "vouch-sealed-key/v1:";
// The sealed file's plaintext: an Ed25519 seed.
inline constexpr size_t kSealedKeySeedSize = 32;
// The most a sealed key file may hold (it is 128 bytes).
inline constexpr size_t kMaxSealedKeyFileSize = 4096;

// SHA-256(`tag` ‖ `spki_der`) ‖ 32 zero bytes: the report data binding a key to a quote.
platform::ReportData KeyBindingReportData(std::string_view tag, ByteSpan spki_der);

class EnclaveKey {
 public:
  // Unseals the key in `path`, or, when no file is there, generates one and seals it there
  // (atomically, mode 0600) before returning. `purpose` (non-empty, e.g. "root") is sealed
  // with the key: a blob sealed for another purpose does not open. Errors: the file's read
  // errors (kFailedPrecondition, reason "key_file_insecure", for a file others may read;
  // kUnavailable for an unreadable one), seal/'s errors with their reasons for a blob that does
  // not unseal here (the message names the file and says it is not replaced),
  // kInvalidArgument (reason "sealed_blob_malformed") for one that unseals to something other
  // than a seed, kUnavailable for a file that cannot be written.
  // REQUIRES: `platform` outlives the key.
  static StatusOr<std::unique_ptr<EnclaveKey>> LoadOrCreate(platform::Platform& platform,
                                                            const std::string& path,
                                                            std::string_view purpose);

  EnclaveKey(const EnclaveKey&) = delete;
  EnclaveKey& operator=(const EnclaveKey&) = delete;

  // True when LoadOrCreate generated the key (no sealed file was there).
  bool created() const { return created_; }
  const std::string& path() const { return path_; }

  // The public key, its SPKI DER (44 bytes) and keyid (hex SHA-256 of the SPKI).
  const PublicKeyVerify& public_key() const { return *public_key_; }
  ByteSpan spki_der() const { return public_key_->spki_der(); }
  std::string KeyId() const { return public_key_->KeyId(); }
  // The key as governance statements carry it (root-set roots[].key: {"keyid","spki"}).
  govern::Key StatementKey() const { return govern::Key{public_key_}; }

  // Signs with the enclave key; lives as long as this object.
  const PublicKeySign& signer() const { return *signing_key_; }

  // KeyBindingReportData(`tag`, spki_der()).
  platform::ReportData BindingReportData(std::string_view tag) const;
  // The platform's evidence (platform::Platform::Quote) over BindingReportData(`tag`).
  StatusOr<Bytes> BindingQuote(std::string_view tag);

 private:
  EnclaveKey(platform::Platform& platform, std::string path, bool created,
             std::unique_ptr<LocalSigningKey> signing_key,
             std::shared_ptr<const PublicKeyVerify> public_key);

  platform::Platform& platform_;
  const std::string path_;
  const bool created_;
  const std::unique_ptr<LocalSigningKey> signing_key_;
  const std::shared_ptr<const PublicKeyVerify> public_key_;
};

// The broker's two keys (spec/provisioning.md §3): an X25519 HPKE key pair, to which owners
// seal envelopes, and an Ed25519 signing key, which signs release records and the broker-key
// statement. Both come from one sealed file holding their two 32-byte seeds (HPKE private key,
// then Ed25519 seed), sealed to the enclave's MRENCLAVE with associated data
// "vouch-broker-keys/v1"; the rules for a missing or unopenable file are EnclaveKey's. Their
// binding to the enclave is provision::BrokerKeyReportData(HPKE key, signing SPKI).
//
// Thread-safety: the accessors and the keys are thread-safe after LoadOrCreate.
inline constexpr char kBrokerKeysAad[] = "vouch-broker-keys/v1";
inline constexpr size_t kBrokerKeysSeedSize = 64;

class BrokerKeys {
 public:
  static StatusOr<std::unique_ptr<BrokerKeys>> LoadOrCreate(platform::Platform& platform,
                                                            const std::string& path);
  // Fresh keys that are never sealed or written (a hand-off broker's, spec §6: they die with
  // the process). path() is empty.
  static StatusOr<std::unique_ptr<BrokerKeys>> Generate();
  BrokerKeys(const BrokerKeys&) = delete;
  BrokerKeys& operator=(const BrokerKeys&) = delete;

  bool created() const { return created_; }
  const std::string& path() const { return path_; }
  const X25519PrivateKey& hpke() const { return hpke_; }
  const PublicKeySign& signer() const { return *signing_key_; }
  // The report data of the broker's key-binding quote.
  StatusOr<platform::ReportData> BindingReportData() const;

 private:
  BrokerKeys(std::string path, bool created, X25519PrivateKey hpke,
             std::unique_ptr<LocalSigningKey> signing_key);
  const std::string path_;
  const bool created_;
  const X25519PrivateKey hpke_;
  const std::unique_ptr<LocalSigningKey> signing_key_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_ENCLAVE_KEY_H_
