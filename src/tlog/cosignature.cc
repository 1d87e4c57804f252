// cosignature/v1 (c2sp.org/tlog-cosignature@v1.0.1; spec/transparency-log.md §6).
#include "vouch/tlog/cosignature.h"

#include <string>

#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

std::string CosignatureV1Message(std::string_view checkpoint_text, uint64_t timestamp) {
  std::string msg = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  msg += checkpoint_text;
  return msg;
}

StatusOr<CosignatureV1> CosignatureV1::Decode(ByteSpan bytes) {
  if (bytes.size() != kCosignatureV1Size) {
    return MalformedError(reasons::kCosignatureMalformed,
                          "a cosignature/v1 signature is 72 bytes (timestamp and Ed25519 "
                          "signature), got " +
                              std::to_string(bytes.size()));
  }
  CosignatureV1 c;
  c.timestamp = LoadU64Be(bytes.data());
  if (c.timestamp > kMaxCosignatureTimestamp) {
    return MalformedError(reasons::kCosignatureMalformed,
                          "cosignature timestamp is above 2^63 - 1");
  }
  std::copy(bytes.begin() + 8, bytes.end(), c.signature.begin());
  return c;
}

Bytes CosignatureV1::Encode() const {
  ByteWriter out;
  out.Reserve(kCosignatureV1Size);
  out.WriteU64Be(timestamp);
  out.WriteBytes(signature);
  return std::move(out).Finish();
}

StatusOr<std::shared_ptr<const CosignatureV1Verifier>> CosignatureV1Verifier::Create(
    std::string_view name, ByteSpan public_key) {
  VOUCH_ASSIGN_OR_RETURN(VerifierKey vk,
                         VerifierKey::Create(name, kSigTypeCosignatureV1, public_key));
  VOUCH_ASSIGN_OR_RETURN(Ed25519PublicKey key, Ed25519PublicKey::FromBytes(public_key));
  return std::shared_ptr<const CosignatureV1Verifier>(
      new CosignatureV1Verifier(vk.name(), vk.key_id(), std::move(key), /*any_name=*/false));
}

StatusOr<std::shared_ptr<const CosignatureV1Verifier>> CosignatureV1Verifier::CreateAnyName(
    std::string_view label, ByteSpan public_key) {
  if (label.empty()) {
    return InvalidArgumentError("cosigner label must not be empty");
  }
  VOUCH_ASSIGN_OR_RETURN(Ed25519PublicKey key, Ed25519PublicKey::FromBytes(public_key));
  uint32_t id = ComputeKeyId(label, kSigTypeCosignatureV1, public_key);
  return std::shared_ptr<const CosignatureV1Verifier>(
      new CosignatureV1Verifier(std::string(label), id, std::move(key), /*any_name=*/true));
}

bool CosignatureV1Verifier::Matches(std::string_view line_name, uint32_t line_key_id) const {
  if (!any_name_) {
    return line_name == name_ && line_key_id == key_id_;
  }
  return line_key_id == ComputeKeyId(line_name, kSigTypeCosignatureV1, key_.bytes());
}

bool CosignatureV1Verifier::ClaimsName(std::string_view line_name) const {
  // A key known only by its public key cannot claim an undecodable line by name.
  return !any_name_ && line_name == name_;
}

StatusOr<uint64_t> CosignatureV1Verifier::VerifyTimestamped(ByteSpan text,
                                                            ByteSpan signature) const {
  auto cosig = CosignatureV1::Decode(signature);
  if (!cosig.ok()) {
    return RejectedError(reasons::kNoteSignatureInvalid,
                         "cosignature by " + Describe() + ": " + cosig.status().message());
  }
  std::string msg = CosignatureV1Message(AsStringView(text), cosig->timestamp);
  if (!key_.Verify(AsBytes(msg), cosig->signature).ok()) {
    return RejectedError(reasons::kNoteSignatureInvalid,
                         "cosignature by " + Describe() + " does not verify");
  }
  return cosig->timestamp;
}

Status CosignatureV1Verifier::Verify(ByteSpan text, ByteSpan signature) const {
  auto ts = VerifyTimestamped(text, signature);
  return ts.ok() ? OkStatus() : ts.status();
}

StatusOr<CosignatureV1Signer> CosignatureV1Signer::FromSeed(std::string_view name,
                                                            ByteSpan seed32) {
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::FromSeed(seed32));
  VOUCH_ASSIGN_OR_RETURN(
      VerifierKey vk, VerifierKey::Create(name, kSigTypeCosignatureV1, key.public_key().bytes()));
  return CosignatureV1Signer(vk.name(), vk.key_id(), std::move(key));
}

StatusOr<CosignatureV1Signer> CosignatureV1Signer::Generate(std::string_view name) {
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate());
  return FromSeed(name, key.seed().Reveal());
}

VerifierKey CosignatureV1Signer::verifier_key() const {
  // Cannot fail: validated at construction.
  return *VerifierKey::Create(name_, kSigTypeCosignatureV1, key_.public_key().bytes());
}

StatusOr<Bytes> CosignatureV1Signer::Sign(std::string_view checkpoint_text,
                                          uint64_t timestamp) const {
  if (timestamp == 0 || timestamp > kMaxCosignatureTimestamp) {
    return InvalidArgumentError("cosignature timestamp must be in 1..2^63-1, got " +
                                std::to_string(timestamp));
  }
  std::string msg = CosignatureV1Message(checkpoint_text, timestamp);
  VOUCH_ASSIGN_OR_RETURN(Bytes sig, key_.Sign(AsBytes(msg)));
  CosignatureV1 c;
  c.timestamp = timestamp;
  std::copy(sig.begin(), sig.end(), c.signature.begin());
  return c.Encode();
}

StatusOr<std::string> CosignatureV1Signer::CosignLine(std::string_view checkpoint_text,
                                                      uint64_t timestamp) const {
  VOUCH_ASSIGN_OR_RETURN(Bytes sig, Sign(checkpoint_text, timestamp));
  return FormatSignatureLine(name_, key_id_, sig);
}

namespace {

constexpr std::string_view kKeyPrefix = "PRIVATE+KEY+";
constexpr uint8_t kCosignatureKeyType = 0x04;

}  // namespace

std::string FormatWitnessKeyFile(std::string_view name, ByteSpan seed32) {
  auto signer = CosignatureV1Signer::FromSeed(name, seed32);
  if (!signer.ok()) return {};
  Bytes key{kCosignatureKeyType};
  Append(key, seed32);
  std::string out = std::string(kKeyPrefix) + std::string(name) + "+" +
                    KeyIdHex(signer->verifier_key().key_id()) + "+" + Base64Encode(key) + "\n";
  SecureWipe(key.data(), key.size());
  return out;
}

StatusOr<CosignatureV1Signer> ParseWitnessKeyFile(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto fail = [](const std::string& why) {
    return InvalidArgumentError("witness key file: " + why +
                                " (expected PRIVATE+KEY+<name>+<keyid>+<base64>)");
  };
  if (text.substr(0, kKeyPrefix.size()) != kKeyPrefix) return fail("missing PRIVATE+KEY+ prefix");
  text.remove_prefix(kKeyPrefix.size());
  // Names cannot contain '+' but base64 can, so split from the left.
  size_t middle = text.find('+');
  if (middle == std::string_view::npos || middle == 0) return fail("missing name");
  size_t last = text.find('+', middle + 1);
  if (last == std::string_view::npos) return fail("missing key ID or key");
  std::string_view name = text.substr(0, middle);
  std::string_view key_id = text.substr(middle + 1, last - middle - 1);
  auto key = Base64Decode(text.substr(last + 1));
  if (!key.ok() || key->size() != 33 || (*key)[0] != kCosignatureKeyType) {
    if (key.ok()) SecureWipe(key->data(), key->size());
    return fail("the key is not base64 of a 0x04 type byte and a 32-byte seed");
  }
  auto signer = CosignatureV1Signer::FromSeed(name, ByteSpan(*key).subspan(1));
  SecureWipe(key->data(), key->size());
  if (!signer.ok()) return signer.status();
  if (KeyIdHex(signer->verifier_key().key_id()) != key_id) {
    return fail("key ID " + std::string(key_id) + " does not match the key");
  }
  return signer;
}

}  // namespace vouch::tlog
