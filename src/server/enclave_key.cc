#include "vouch/server/enclave_key.h"

#include <algorithm>
#include <utility>

#include "vouch/base/file.h"
#include "vouch/crypto/random.h"
#include "vouch/crypto/sha.h"
#include "vouch/provision/binding.h"
#include "vouch/seal/reasons.h"
#include "vouch/seal/seal.h"

namespace vouch::server {
namespace {

Bytes SealedKeyAad(std::string_view purpose) {
  Bytes aad = ToBytes(kSealedKeyAadPrefix);
  aad.insert(aad.end(), purpose.begin(), purpose.end());
  return aad;
}

// The seed sealed in `path` (opened, `size` bytes), or a new one sealed there first; `*created`
// says which.
StatusOr<SecretBytes> LoadOrCreateSealedSeed(platform::Platform& platform, const std::string& path,
                                             ByteSpan aad, size_t size, bool* created) {
  *created = false;
  auto file = ReadPrivateFile(path, kMaxSealedKeyFileSize);
  if (file.ok()) {
    auto opened = seal::Unseal(platform, file->Reveal(), aad);
    if (!opened.ok()) {
      return opened.status().WithContext(
          "the sealed key " + path +
          " does not unseal in this enclave (sealed by another measurement or platform, for "
          "another purpose, or damaged); it is not replaced");
    }
    if (opened->size() != size) {
      return MalformedError(seal::reasons::kSealedBlobMalformed,
                            "the sealed key " + path + " holds " + std::to_string(opened->size()) +
                                " bytes, not a " + std::to_string(size) + "-byte seed");
    }
    return *std::move(opened);
  }
  if (file.status().code() != StatusCode::kNotFound) {
    return file.status().WithContext("cannot read the sealed key " + path);
  }
  VOUCH_ASSIGN_OR_RETURN(SecretBytes seed, RandomSecret(size));
  VOUCH_ASSIGN_OR_RETURN(Bytes blob,
                         seal::Seal(platform, platform::SealPolicy::kMrEnclave, seed, aad));
  VOUCH_RETURN_IF_ERROR(WriteFileAtomic(path, blob, 0600));
  *created = true;
  return seed;
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
  bool created = false;
  VOUCH_ASSIGN_OR_RETURN(
      SecretBytes seed,
      LoadOrCreateSealedSeed(platform, path, SealedKeyAad(purpose), kSealedKeySeedSize, &created));
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

BrokerKeys::BrokerKeys(std::string path, bool created, X25519PrivateKey hpke,
                       std::unique_ptr<LocalSigningKey> signing_key)
    : path_(std::move(path)),
      created_(created),
      hpke_(std::move(hpke)),
      signing_key_(std::move(signing_key)) {}

StatusOr<std::unique_ptr<BrokerKeys>> BrokerKeys::LoadOrCreate(platform::Platform& platform,
                                                               const std::string& path) {
  bool created = false;
  VOUCH_ASSIGN_OR_RETURN(SecretBytes seeds,
                         LoadOrCreateSealedSeed(platform, path, AsBytes(kBrokerKeysAad),
                                                kBrokerKeysSeedSize, &created));
  const ByteSpan both = seeds.Reveal();
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey hpke, X25519PrivateKey::FromBytes(both.first(32)));
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<LocalSigningKey> signing_key,
                         LocalSigningKey::FromEd25519Seed(both.subspan(32)));
  return std::unique_ptr<BrokerKeys>(
      new BrokerKeys(path, created, std::move(hpke), std::move(signing_key)));
}

StatusOr<std::unique_ptr<BrokerKeys>> BrokerKeys::Generate() {
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey hpke, X25519PrivateKey::Generate());
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<LocalSigningKey> signing_key,
                         LocalSigningKey::Generate(SignatureAlgorithm::kEd25519));
  return std::unique_ptr<BrokerKeys>(
      new BrokerKeys("", /*created=*/true, std::move(hpke), std::move(signing_key)));
}

StatusOr<platform::ReportData> BrokerKeys::BindingReportData() const {
  return provision::BrokerKeyReportData(hpke_.public_key(), signing_key_->verifier().spki_der());
}

}  // namespace vouch::server
