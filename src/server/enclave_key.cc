#include "vouch/server/enclave_key.h"

#include <algorithm>
#include <utility>

#include "vouch/base/file.h"
#include "vouch/crypto/random.h"
#include "vouch/crypto/sha.h"
#include "vouch/seal/reasons.h"
#include "vouch/seal/seal.h"

namespace vouch::server {
namespace {

Bytes SealedKeyAad(std::string_view purpose) {
  Bytes aad = ToBytes(kSealedKeyAadPrefix);
  aad.insert(aad.end(), purpose.begin(), purpose.end());
  return aad;
}

}  // namespace

platform::ReportData KeyBindingReportData(std::string_view tag, ByteSpan spki_der) {
  const Sha256Digest digest = Sha256WithPrefix(AsBytes(tag), {spki_der});
  platform::ReportData report_data{};
  std::copy(digest.begin(), digest.end(), report_data.begin());
  return report_data;
}

EnclaveKey::EnclaveKey(platform::Platform& platform, std::string path, bool created,
                       std::unique_ptr<LocalSigningKey> signing_key,
                       std::shared_ptr<const PublicKeyVerify> public_key)
    : platform_(platform),
      path_(std::move(path)),
      created_(created),
      signing_key_(std::move(signing_key)),
      public_key_(std::move(public_key)) {}

StatusOr<std::unique_ptr<EnclaveKey>> EnclaveKey::LoadOrCreate(platform::Platform& platform,
                                                               const std::string& path,
                                                               std::string_view purpose) {
  if (purpose.empty()) {
    return Status(StatusCode::kInvalidArgument, "an enclave key needs a purpose");
  }
  const Bytes aad = SealedKeyAad(purpose);
  SecretBytes seed;
  bool created = false;
  auto file = ReadPrivateFile(path, kMaxSealedKeyFileSize);
  if (file.ok()) {
    auto opened = seal::Unseal(platform, file->Reveal(), aad);
    if (!opened.ok()) {
      return opened.status().WithContext(
          "the sealed key " + path +
          " does not unseal in this enclave (sealed by another measurement or platform, for "
          "another purpose, or damaged); it is not replaced");
    }
    if (opened->size() != kSealedKeySeedSize) {
      return MalformedError(seal::reasons::kSealedBlobMalformed,
                            "the sealed key " + path + " holds " + std::to_string(opened->size()) +
                                " bytes, not a " + std::to_string(kSealedKeySeedSize) +
                                "-byte seed");
    }
    seed = *std::move(opened);
  } else if (file.status().code() == StatusCode::kNotFound) {
    VOUCH_ASSIGN_OR_RETURN(seed, RandomSecret(kSealedKeySeedSize));
    VOUCH_ASSIGN_OR_RETURN(Bytes blob,
                           seal::Seal(platform, platform::SealPolicy::kMrEnclave, seed, aad));
    VOUCH_RETURN_IF_ERROR(WriteFileAtomic(path, blob, 0600));
    created = true;
  } else {
    return file.status().WithContext("cannot read the sealed key " + path);
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<LocalSigningKey> signing_key,
                         LocalSigningKey::FromEd25519Seed(seed.Reveal()));
  VOUCH_ASSIGN_OR_RETURN(std::shared_ptr<const PublicKeyVerify> public_key,
                         PublicKeyFromSpki(signing_key->verifier().spki_der()));
  return std::unique_ptr<EnclaveKey>(
      new EnclaveKey(platform, path, created, std::move(signing_key), std::move(public_key)));
}

platform::ReportData EnclaveKey::BindingReportData(std::string_view tag) const {
  return KeyBindingReportData(tag, spki_der());
}

StatusOr<Bytes> EnclaveKey::BindingQuote(std::string_view tag) {
  return platform_.Quote(BindingReportData(tag));
}

}  // namespace vouch::server
