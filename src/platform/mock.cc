#include "vouch/platform/mock.h"

#include "platform/internal.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/simulated_pki.h"

namespace vouch::platform {
namespace {

constexpr char kMockSealSalt[] = "vouch/mock/seal";

class MockPlatform final : public Platform {
 public:
  explicit MockPlatform(MockPlatformOptions options)
      : created_at_(options.created_at),
        secret_(options.secret ? std::move(*options.secret)
                               : SecretBytes(Sha256(AsBytes("vouch mock platform")))) {
    identity_.mr_enclave = options.code_hash;
    identity_.mr_signer = {};  // Conclave's mock code signer: 32 zero bytes
    identity_.product_id = options.product_id;
    identity_.isv_svn = options.isv_svn;
    identity_.attributes = EnclaveIdentity::DefaultAttributes(false);
  }

  std::string_view name() const override { return "mock"; }
  EnclaveMode mode() const override { return EnclaveMode::kMock; }
  const EnclaveIdentity& identity() const override { return identity_; }
  EvidenceFormat evidence_format() const override { return EvidenceFormat::kMockEii; }

  StatusOr<Bytes> Report(const ReportData& report_data) override {
    return sgx::EncodeReportBody(internal::MakeReportBody(identity_, report_data, {}));
  }
  // EII JSON as Conclave's mock attestation reports it, with the report data filled in.
  StatusOr<Bytes> Quote(const ReportData& report_data) override {
    MockEnclaveOptions o;
    o.code_hash = identity_.mr_enclave;
    o.code_signer = identity_.mr_signer;
    o.product_id = identity_.product_id;
    o.revocation_level = identity_.isv_svn == 0 ? 0 : identity_.isv_svn - 1;
    o.timestamp = created_at_;
    VOUCH_ASSIGN_OR_RETURN(EnclaveInstanceInfo eii, EnclaveInstanceInfo::Mock(o));
    eii.isv_svn = identity_.isv_svn;
    eii.report_data = report_data;
    return ToBytes(std::string_view(eii.ToJson()));
  }
  StatusOr<SecretBytes> SealKey(const SealKeyRequest& request) const override {
    return internal::DeriveSealKey(secret_.Reveal(), kMockSealSalt, identity_, request);
  }

 private:
  EnclaveIdentity identity_;
  UnixSeconds created_at_;
  SecretBytes secret_;
};

}  // namespace

std::unique_ptr<Platform> NewMockPlatform(MockPlatformOptions options) {
  return std::make_unique<MockPlatform>(std::move(options));
}

}  // namespace vouch::platform
