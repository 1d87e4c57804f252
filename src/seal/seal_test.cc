// The sealing matrix (docs/sealing.md): MRENCLAVE vs MRSIGNER, SVN upgrade and downgrade,
// other products, signers, debug twins and platforms; tampering with every byte and truncating
// at every length; associated data; wiping on failure.
#include "vouch/seal/seal.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/crypto/sha.h"
#include "vouch/platform/mock.h"
#include "vouch/platform/sim.h"

namespace vouch::seal {
namespace {

using platform::EnclaveIdentity;
using platform::NewSimPlatform;
using platform::Platform;
using platform::SimInstallation;

constexpr UnixSeconds kNow = 1760000000;

EnclaveIdentity Identity(const std::string& build, const std::string& signer, uint16_t product,
                         uint16_t svn, bool debug = false) {
  EnclaveIdentity id;
  id.mr_enclave = Sha256(AsBytes(build));
  id.mr_signer = Sha256(AsBytes(signer));
  id.product_id = product;
  id.isv_svn = svn;
  id.attributes = EnclaveIdentity::DefaultAttributes(debug);
  return id;
}

std::shared_ptr<const SimInstallation> NewInstallation(const std::string& name) {
  std::string dir = testing::MakeTempDir(name) + "/s";
  return std::make_shared<const SimInstallation>(*SimInstallation::Init(dir, kNow, false));
}

class SealTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    here_ = new std::shared_ptr<const SimInstallation>(NewInstallation("seal-here"));
    elsewhere_ = new std::shared_ptr<const SimInstallation>(NewInstallation("seal-elsewhere"));
  }
  static void TearDownTestSuite() {
    delete here_;
    delete elsewhere_;
  }

  std::unique_ptr<Platform> On(const EnclaveIdentity& id, bool other_platform = false) {
    return NewSimPlatform(other_platform ? *elsewhere_ : *here_, id);
  }

  // Seals `secret` as `sealer` and returns what `opener` gets.
  StatusOr<SecretBytes> RoundTrip(const EnclaveIdentity& sealer, SealPolicy policy,
                                  const EnclaveIdentity& opener, bool other_platform = false) {
    auto a = On(sealer);
    auto b = On(opener, other_platform);
    VOUCH_ASSIGN_OR_RETURN(Bytes blob, Seal(*a, policy, secret_, aad_));
    return Unseal(*b, blob, aad_);
  }

  static std::shared_ptr<const SimInstallation>* here_;
  static std::shared_ptr<const SimInstallation>* elsewhere_;
  SecretBytes secret_{AsBytes("the database key")};
  Bytes aad_ = ToBytes("context");
  EnclaveIdentity v2_ = Identity("app build 2", "acme", 1, 2);
  EnclaveIdentity v1_ = Identity("app build 1", "acme", 1, 1);
  EnclaveIdentity v3_ = Identity("app build 3", "acme", 1, 3);
};
std::shared_ptr<const SimInstallation>* SealTest::here_ = nullptr;
std::shared_ptr<const SimInstallation>* SealTest::elsewhere_ = nullptr;

TEST_F(SealTest, MrEnclaveOnlyTheSameMeasurement) {
  auto same = RoundTrip(v2_, SealPolicy::kMrEnclave, v2_);
  ASSERT_THAT(same, IsOk());
  EXPECT_TRUE(*same == secret_);
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrEnclave, v3_), ReasonIs("seal_identity_mismatch"));
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrEnclave, v1_), ReasonIs("seal_identity_mismatch"));
  // Same MRENCLAVE signed by someone else: still the same measurement, so it unseals (SGX's
  // MRENCLAVE policy does not bind the signer).
  EnclaveIdentity resigned = v2_;
  resigned.mr_signer = Sha256(AsBytes("someone else"));
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrEnclave, resigned), IsOk());
}

TEST_F(SealTest, MrSignerNewerUnsealsOlderNeverTheReverse) {
  auto upgrade = RoundTrip(v2_, SealPolicy::kMrSigner, v3_);
  ASSERT_THAT(upgrade, IsOk());
  EXPECT_TRUE(*upgrade == secret_);
  EXPECT_THAT(RoundTrip(v1_, SealPolicy::kMrSigner, v3_), IsOk());
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrSigner, v2_), IsOk());
  auto downgrade = RoundTrip(v2_, SealPolicy::kMrSigner, v1_);
  EXPECT_THAT(downgrade, ReasonIs("seal_svn_too_new"));
  EXPECT_THAT(downgrade.status().message(), HasSubstr("ISV SVN 2"));
  EXPECT_THAT(RoundTrip(v3_, SealPolicy::kMrSigner, v2_), ReasonIs("seal_svn_too_new"));
}

TEST_F(SealTest, MrSignerNeedsSameSignerProductAndMode) {
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrSigner, Identity("app build 3", "evil", 1, 3)),
              ReasonIs("seal_identity_mismatch"));
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrSigner, Identity("other app", "acme", 2, 3)),
              ReasonIs("seal_product_mismatch"));
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrEnclave, Identity("app build 2", "acme", 2, 2)),
              ReasonIs("seal_product_mismatch"));
  // A debug build with the same signer, product and SVN gets other keys.
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrSigner,
                        Identity("app build 2 debug", "acme", 1, 2,
                                 /*debug=*/true)),
              ReasonIs("seal_open_failed"));
}

TEST_F(SealTest, AnotherPlatformCannotUnseal) {
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrEnclave, v2_, /*other_platform=*/true),
              ReasonIs("seal_open_failed"));
  EXPECT_THAT(RoundTrip(v2_, SealPolicy::kMrSigner, v3_, /*other_platform=*/true),
              ReasonIs("seal_open_failed"));
  // Nor a mock platform with the same identity.
  platform::MockPlatformOptions o;
  o.code_hash = v2_.mr_enclave;
  o.product_id = 1;
  o.isv_svn = 2;
  auto mock = platform::NewMockPlatform(std::move(o));
  Bytes blob = *Seal(*On(v2_), SealPolicy::kMrEnclave, secret_, aad_);
  EXPECT_THAT(Unseal(*mock, blob, aad_), ReasonIs("seal_open_failed"));
}

TEST_F(SealTest, AssociatedDataMustMatch) {
  auto p = On(v2_);
  Bytes blob = *Seal(*p, SealPolicy::kMrEnclave, secret_, aad_);
  EXPECT_THAT(Unseal(*p, blob, ToBytes("contexT")), ReasonIs("seal_open_failed"));
  EXPECT_THAT(Unseal(*p, blob, {}), ReasonIs("seal_open_failed"));
  EXPECT_THAT(Unseal(*p, blob, aad_), IsOk());
}

TEST_F(SealTest, BlobLayout) {
  auto p = On(v2_);
  Bytes blob = *Seal(*p, SealPolicy::kMrSigner, secret_, aad_);
  ASSERT_EQ(blob.size(), kSealedBlobOverhead + secret_.size());
  EXPECT_EQ(AsStringView(ByteSpan(blob).first(4)), "VSL1");
  auto h = SealedBlobHeader::Parse(blob);
  ASSERT_THAT(h, IsOk());
  EXPECT_EQ(h->policy, SealPolicy::kMrSigner);
  EXPECT_EQ(h->isv_svn, 2);
  EXPECT_EQ(h->product_id, 1);
  EXPECT_EQ(h->identity, v2_.mr_signer);
  EXPECT_EQ(h->ciphertext_size, secret_.size());
  std::array<uint8_t, kSealedBlobHeaderSize> header{};
  std::copy_n(blob.begin(), header.size(), header.begin());
  EXPECT_EQ(h->Encode(), header);
  // The plaintext does not appear in the blob.
  EXPECT_EQ(AsStringView(blob).find("database"), std::string_view::npos);
  // Two seals of the same data differ (fresh nonce).
  EXPECT_NE(blob, *Seal(*p, SealPolicy::kMrSigner, secret_, aad_));
}

// Flipping any bit of any byte never yields plaintext, and the error names the field.
TEST_F(SealTest, TamperingWithEveryByteIsCaught) {
  auto p = On(v2_);
  Bytes blob = *Seal(*p, SealPolicy::kMrSigner, secret_, aad_);
  for (size_t i = 0; i < blob.size(); ++i) {
    for (int bit : {0x01, 0x80}) {
      Bytes bad = blob;
      bad[i] = static_cast<uint8_t>(bad[i] ^ bit);
      auto r = Unseal(*p, bad, aad_);
      ASSERT_FALSE(r.ok()) << "byte " << i << " bit " << bit;
      std::string want;
      if (i < 8) {
        want = "sealed_blob_malformed";  // magic, version, policy, flags
      } else if (i < 10) {
        uint16_t svn = static_cast<uint16_t>(bad[8] | (bad[9] << 8));
        want = svn > 2 ? "seal_svn_too_new" : "seal_open_failed";
      } else if (i < 12) {
        want = "seal_product_mismatch";
      } else if (i < 44) {
        want = "seal_identity_mismatch";
      } else if (i < 72) {
        want = "seal_open_failed";  // key ID, nonce
      } else if (i < 80) {
        want = "sealed_blob_malformed";  // ciphertext size
      } else {
        want = "seal_open_failed";  // ciphertext, tag
      }
      EXPECT_EQ(r.status().reason(), want) << "byte " << i << " bit " << bit << ": " << r.status();
    }
  }
}

TEST_F(SealTest, TruncationAndExtensionAreMalformed) {
  auto p = On(v2_);
  Bytes blob = *Seal(*p, SealPolicy::kMrEnclave, secret_, aad_);
  for (size_t n = 0; n < blob.size(); ++n) {
    EXPECT_THAT(Unseal(*p, ByteSpan(blob).first(n), aad_), ReasonIs("sealed_blob_malformed")) << n;
  }
  Bytes longer = blob;
  longer.push_back(0);
  EXPECT_THAT(Unseal(*p, longer, aad_), ReasonIs("sealed_blob_malformed"));
  // A consistent header for a shorter ciphertext still fails authentication.
  Bytes cut(blob.begin(), blob.end() - 1);
  cut[72] = static_cast<uint8_t>(cut[72] - 1);
  EXPECT_THAT(Unseal(*p, cut, aad_), ReasonIs("seal_open_failed"));
}

TEST_F(SealTest, FailuresWipeTheOutput) {
  auto p = On(v2_);
  auto sealer = *Sealer::Create(*p);
  Bytes blob = *sealer.Seal(SealPolicy::kMrEnclave, secret_.Reveal(), aad_);
  SecretBytes out;
  ASSERT_THAT(sealer.UnsealTo(blob, aad_, out), IsOk());
  EXPECT_TRUE(out == secret_);
  blob.back() ^= 1;
  EXPECT_THAT(sealer.UnsealTo(blob, aad_, out), ReasonIs("seal_open_failed"));
  EXPECT_TRUE(out == SecretBytes(Bytes(secret_.size(), 0)));
}

TEST_F(SealTest, SizesAndSealers) {
  auto p = On(v2_);
  auto a = *Sealer::Create(*p);
  auto b = *Sealer::Create(*p);
  for (size_t size : {0, 1, 4096, 65536, 1 << 20}) {
    Bytes data(size, 0x3c);
    Bytes blob = *a.Seal(SealPolicy::kMrSigner, data, {});
    auto back = b.Unseal(blob, {});  // another sealer (another key ID) opens it
    ASSERT_THAT(back, IsOk()) << size;
    EXPECT_TRUE(*back == SecretBytes(data)) << size;
  }
  // Blobs from many sealers (many key IDs) open with one sealer; its cache stays bounded.
  auto newer = On(v3_);  // must outlive its sealer
  auto opener = *Sealer::Create(*newer);
  for (int i = 0; i < 100; ++i) {
    auto s = *Sealer::Create(*p);
    Bytes blob = *s.Seal(SealPolicy::kMrSigner, secret_.Reveal(), aad_);
    ASSERT_THAT(opener.Unseal(blob, aad_), IsOk()) << i;
  }
}

}  // namespace
}  // namespace vouch::seal
