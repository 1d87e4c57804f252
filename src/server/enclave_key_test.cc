// The sealed enclave key: create and reload, refusals of blobs that do not unseal here (other
// measurement, platform, purpose; damaged, truncated; readable by others), the binding's bytes.
#include "vouch/server/enclave_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/govern/statement.h"
#include "vouch/platform/sim.h"
#include "vouch/provision/binding.h"
#include "vouch/seal/reasons.h"
#include "vouch/seal/seal.h"

namespace vouch::server {
namespace {

using platform::EnclaveIdentity;
using platform::NewSimPlatform;
using platform::Platform;
using platform::SimInstallation;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
using testing::StatusIs;

constexpr UnixSeconds kNow = 1760000000;

EnclaveIdentity Identity(const std::string& build) {
  EnclaveIdentity id;
  id.mr_enclave = Sha256(AsBytes(build));
  id.mr_signer = Sha256(AsBytes("root builder"));
  id.product_id = 1;
  id.isv_svn = 1;
  id.attributes = EnclaveIdentity::DefaultAttributes(false);
  return id;
}

class EnclaveKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = vouch::testing::MakeTempDir("enclave-key");
    here_ = std::make_shared<const SimInstallation>(
        *SimInstallation::Init(dir + "/sim-here", kNow, false));
    elsewhere_ = std::make_shared<const SimInstallation>(
        *SimInstallation::Init(dir + "/sim-elsewhere", kNow, false));
    path_ = dir + "/root-key.sealed";
  }

  std::unique_ptr<Platform> On(const std::string& build, bool elsewhere = false) {
    return NewSimPlatform(elsewhere ? elsewhere_ : here_, Identity(build));
  }

  // The sealed file's bytes.
  Bytes FileBytes() { return *ReadFile(path_); }
  void Rewrite(const Bytes& bytes) { ASSERT_THAT(WriteFileAtomic(path_, bytes, 0600), IsOk()); }

  std::shared_ptr<const SimInstallation> here_;
  std::shared_ptr<const SimInstallation> elsewhere_;
  std::string path_;
};

TEST_F(EnclaveKeyTest, CreatedOnceThenReloadedWithTheSameKey) {
  auto p = On("root 1");
  auto first = EnclaveKey::LoadOrCreate(*p, path_, "root");
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_TRUE((*first)->created());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const Bytes sealed = FileBytes();
  EXPECT_EQ(sealed.size(), seal::kSealedBlobOverhead + kSealedKeySeedSize);

  // A restart: another process, another platform object, the same enclave.
  auto p2 = On("root 1");
  auto second = EnclaveKey::LoadOrCreate(*p2, path_, "root");
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_FALSE((*second)->created());
  EXPECT_EQ(ToBytes((*second)->spki_der()), ToBytes((*first)->spki_der()));
  EXPECT_EQ((*second)->KeyId(), (*first)->KeyId());
  EXPECT_EQ((*second)->StatementKey().KeyId(), (*first)->KeyId());
  EXPECT_EQ(FileBytes(), sealed);  // not rewritten

  // What one signs, the other's public key verifies.
  const Bytes message = ToBytes("a statement");
  auto signature = (*first)->signer().Sign(message);
  ASSERT_THAT(signature.status(), IsOk());
  EXPECT_THAT((*second)->public_key().Verify(message, *signature), IsOk());
}

TEST_F(EnclaveKeyTest, TwoEnclavesMakeTwoKeys) {
  auto p = On("root 1");
  auto a = EnclaveKey::LoadOrCreate(*p, path_, "root");
  auto b = EnclaveKey::LoadOrCreate(*p, path_ + ".2", "root");
  ASSERT_THAT(a.status(), IsOk());
  ASSERT_THAT(b.status(), IsOk());
  EXPECT_NE((*a)->KeyId(), (*b)->KeyId());
}

TEST_F(EnclaveKeyTest, AnotherMeasurementRefusesAndKeepsTheFile) {
  auto p = On("root 1");
  ASSERT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "root").status(), IsOk());
  const Bytes sealed = FileBytes();
  auto other = On("root 2");
  auto loaded = EnclaveKey::LoadOrCreate(*other, path_, "root");
  EXPECT_THAT(loaded.status(),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("it is not replaced")));
  EXPECT_EQ(loaded.status().reason(), seal::reasons::kSealIdentityMismatch);
  EXPECT_THAT(loaded.status().message(), HasSubstr(path_));
  EXPECT_EQ(FileBytes(), sealed);
}

TEST_F(EnclaveKeyTest, AnotherPlatformRefuses) {
  auto p = On("root 1");
  ASSERT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "root").status(), IsOk());
  auto there = On("root 1", /*elsewhere=*/true);
  auto loaded = EnclaveKey::LoadOrCreate(*there, path_, "root");
  EXPECT_THAT(loaded.status(), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(loaded.status().reason(), seal::reasons::kSealOpenFailed);
}

TEST_F(EnclaveKeyTest, AnotherPurposeRefuses) {
  auto p = On("root 1");
  ASSERT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "broker").status(), IsOk());
  auto loaded = EnclaveKey::LoadOrCreate(*p, path_, "root");
  EXPECT_THAT(loaded.status(), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "").status(),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(EnclaveKeyTest, DamagedOrTruncatedBlobsRefuse) {
  auto p = On("root 1");
  ASSERT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "root").status(), IsOk());
  const Bytes sealed = FileBytes();
  for (size_t i : {size_t{0}, size_t{12}, seal::kSealedBlobHeaderSize, sealed.size() - 1}) {
    Bytes damaged = sealed;
    damaged[i] ^= 0x01;
    Rewrite(damaged);
    auto loaded = EnclaveKey::LoadOrCreate(*p, path_, "root");
    EXPECT_THAT(loaded.status(), Not(IsOk())) << "byte " << i;
    EXPECT_EQ(FileBytes(), damaged) << "byte " << i;
  }
  Rewrite(Bytes(sealed.begin(), sealed.end() - 1));
  auto truncated = EnclaveKey::LoadOrCreate(*p, path_, "root");
  EXPECT_THAT(truncated.status(), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(truncated.status().reason(), seal::reasons::kSealedBlobMalformed);
  Rewrite(Bytes{});
  EXPECT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "root").status(),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(EnclaveKeyTest, ABlobOthersMayReadIsRefused) {
  auto p = On("root 1");
  ASSERT_THAT(EnclaveKey::LoadOrCreate(*p, path_, "root").status(), IsOk());
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  auto loaded = EnclaveKey::LoadOrCreate(*p, path_, "root");
  EXPECT_THAT(loaded.status(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(loaded.status().reason(), kKeyFileInsecure);
}

TEST_F(EnclaveKeyTest, BindingIsHashOfTagAndSpkiThenZeros) {
  auto p = On("root 1");
  auto key = EnclaveKey::LoadOrCreate(*p, path_, "root");
  ASSERT_THAT(key.status(), IsOk());
  Bytes preimage = ToBytes("vouch-root-key/v1");
  const ByteSpan spki = (*key)->spki_der();
  ASSERT_EQ(spki.size(), kEd25519SpkiSize);
  preimage.insert(preimage.end(), spki.begin(), spki.end());
  const Sha256Digest digest = Sha256(preimage);
  platform::ReportData expected{};
  std::copy(digest.begin(), digest.end(), expected.begin());
  EXPECT_EQ((*key)->BindingReportData("vouch-root-key/v1"), expected);
  EXPECT_EQ((*key)->BindingReportData(govern::kRootKeyBindingTag), govern::RootKeyReportData(spki));
  EXPECT_NE((*key)->BindingReportData("vouch-broker-key/v1"), expected);
}

TEST_F(EnclaveKeyTest, TheQuoteCarriesTheBinding) {
  auto p = On("root 1");
  auto key = EnclaveKey::LoadOrCreate(*p, path_, "root");
  ASSERT_THAT(key.status(), IsOk());
  auto quote = (*key)->BindingQuote(govern::kRootKeyBindingTag);
  ASSERT_THAT(quote.status(), IsOk());
  // A v3 quote: 48-byte header, then the report body, whose report_data is at offset 320.
  constexpr size_t kReportDataOffset = 48 + 320;
  ASSERT_GE(quote->size(), kReportDataOffset + 64);
  const platform::ReportData rd = (*key)->BindingReportData(govern::kRootKeyBindingTag);
  EXPECT_EQ(Bytes(quote->begin() + kReportDataOffset, quote->begin() + kReportDataOffset + 64),
            Bytes(rd.begin(), rd.end()));
  const Sha256Hash& mr_enclave = p->identity().mr_enclave;
  constexpr size_t kMrEnclaveOffset = 48 + 64;
  EXPECT_EQ(Bytes(quote->begin() + kMrEnclaveOffset, quote->begin() + kMrEnclaveOffset + 32),
            Bytes(mr_enclave.begin(), mr_enclave.end()));
}

TEST_F(EnclaveKeyTest, TheBrokersTwoKeysLiveInOneSealedFile) {
  auto p = On("broker 1");
  auto first = BrokerKeys::LoadOrCreate(*p, path_);
  ASSERT_THAT(first.status(), IsOk());
  EXPECT_TRUE((*first)->created());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(FileBytes().size(), seal::kSealedBlobOverhead + kBrokerKeysSeedSize);

  auto p2 = On("broker 1");
  auto second = BrokerKeys::LoadOrCreate(*p2, path_);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_FALSE((*second)->created());
  EXPECT_EQ((*second)->hpke().public_key(), (*first)->hpke().public_key());
  EXPECT_EQ((*second)->signer().verifier().KeyId(), (*first)->signer().verifier().KeyId());
  auto report_data = (*second)->BindingReportData();
  ASSERT_THAT(report_data.status(), IsOk());
  EXPECT_EQ(*report_data,
            *provision::BrokerKeyReportData((*first)->hpke().public_key(),
                                            (*first)->signer().verifier().spki_der()));

  // Another measurement cannot open them, and they are not replaced; nor does a root key file.
  const Bytes sealed = FileBytes();
  EXPECT_THAT(BrokerKeys::LoadOrCreate(*On("broker 2"), path_).status(), Not(IsOk()));
  EXPECT_EQ(FileBytes(), sealed);
  ASSERT_THAT(EnclaveKey::LoadOrCreate(*On("broker 1"), path_ + ".root", "root").status(), IsOk());
  EXPECT_THAT(BrokerKeys::LoadOrCreate(*On("broker 1"), path_ + ".root").status(), Not(IsOk()));
}

}  // namespace
}  // namespace vouch::server
