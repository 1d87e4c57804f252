#include "vouch/crypto/x509.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"

namespace vouch {
namespace {

constexpr UnixSeconds kStart = 1700000000;
constexpr UnixSeconds kYear = 365 * 86400;

struct TestPki {
  EcdsaP256PrivateKey root_key = *EcdsaP256PrivateKey::Generate();
  EcdsaP256PrivateKey ca_key = *EcdsaP256PrivateKey::Generate();
  EcdsaP256PrivateKey leaf_key = *EcdsaP256PrivateKey::Generate();
  Certificate root = Issue({{"CN", "Test Root"}, {"O", "Vouch"}, {"OU", "Tests"}}, {1}, true,
                           root_key.public_key(), nullptr, root_key);
  Certificate ca = Issue({{"CN", "Test CA"}}, {2}, true, ca_key.public_key(), &root, root_key);
  Certificate leaf =
      Issue({{"CN", "Test Leaf"}}, {3, 4}, false, leaf_key.public_key(), &ca, ca_key);

  static Certificate Issue(std::vector<std::pair<std::string, std::string>> subject, Bytes serial,
                           bool is_ca, const EcdsaP256PublicKey& key, const Certificate* issuer,
                           const EcdsaP256PrivateKey& issuer_key) {
    CertificateSpec spec;
    spec.subject = std::move(subject);
    spec.serial = std::move(serial);
    spec.not_before = kStart;
    spec.not_after = kStart + kYear;
    spec.is_ca = is_ca;
    spec.extensions.push_back({"1.2.840.113741.1.13.1", false, {0x30, 0x03, 0x02, 0x01, 0x07}});
    auto cert = IssueCertificate(spec, key, issuer, issuer_key);
    EXPECT_THAT(cert, IsOk());
    return *cert;
  }

  Crl MakeCrl(const Certificate& issuer, const EcdsaP256PrivateKey& key,
              std::vector<Bytes> revoked) const {
    CrlSpec spec{kStart, kStart + 30 * 86400, std::move(revoked), 1};
    auto crl = IssueCrl(spec, issuer, key);
    EXPECT_THAT(crl, IsOk());
    return *crl;
  }
};

TEST(CertificateTest, IssuedFieldsReadBack) {
  TestPki pki;
  EXPECT_EQ(pki.leaf.SubjectCommonName(), "Test Leaf");
  EXPECT_EQ(pki.root.SubjectOrganization(), "Vouch");
  EXPECT_EQ(pki.root.SubjectOrganizationalUnit(), "Tests");
  EXPECT_EQ(pki.leaf.SubjectOrganization(), "");
  EXPECT_EQ(pki.leaf.IssuerCommonName(), "Test CA");
  EXPECT_EQ(pki.leaf.IssuerNameDer(), pki.ca.SubjectNameDer());
  EXPECT_EQ(pki.leaf.SerialNumber(), (Bytes{3, 4}));
  EXPECT_EQ(pki.leaf.not_before(), kStart);
  EXPECT_EQ(pki.leaf.not_after(), kStart + kYear);
  EXPECT_TRUE(pki.root.IsSelfIssued());
  EXPECT_EQ(*pki.leaf.ExtensionValue("1.2.840.113741.1.13.1"),
            (Bytes{0x30, 0x03, 0x02, 0x01, 0x07}));
  EXPECT_THAT(pki.leaf.ExtensionValue("1.2.3.4"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(pki.leaf.EcPublicKey()->point(), pki.leaf_key.public_key().point());
}

TEST(CertificateTest, SignatureChecks) {
  TestPki pki;
  EXPECT_THAT(pki.leaf.VerifySignedBy(pki.ca), IsOk());
  EXPECT_THAT(pki.ca.VerifySignedBy(pki.root), IsOk());
  EXPECT_THAT(pki.root.VerifySignedBy(pki.root), IsOk());
  EXPECT_THAT(pki.leaf.VerifySignedBy(pki.root), ReasonIs("signature_invalid"));
  Bytes der = pki.leaf.der();
  der[der.size() - 5] ^= 1;  // inside the signature
  auto tampered = Certificate::FromDer(der);
  if (tampered.ok()) {
    EXPECT_FALSE(tampered->VerifySignedBy(pki.ca).ok());
  }
}

TEST(CertificateTest, PemChainParsing) {
  TestPki pki;
  std::string pem = pki.leaf.ToPem() + pki.ca.ToPem() + pki.root.ToPem();
  auto chain = Certificate::ParsePemChain(pem + std::string("\n\0", 2));
  ASSERT_THAT(chain, IsOk());
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0], pki.leaf);
  EXPECT_EQ((*chain)[2], pki.root);
  EXPECT_THAT(Certificate::ParsePemChain(pem + "junk"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Certificate::ParsePemChain("junk" + pem), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Certificate::ParsePemChain(""), StatusIs(StatusCode::kInvalidArgument));
  std::string truncated = pem.substr(0, pem.size() - 40);
  EXPECT_THAT(Certificate::ParsePemChain(truncated), StatusIs(StatusCode::kInvalidArgument));
  std::string corrupt = pem;
  corrupt[100] = corrupt[100] == 'A' ? 'B' : 'A';
  auto c = Certificate::ParsePemChain(corrupt);
  if (c.ok()) {
    EXPECT_NE((*c)[0], pki.leaf);
  }
}

TEST(CertificateTest, RejectsGarbageDer) {
  EXPECT_THAT(Certificate::FromDer(Bytes{0x30, 0x01, 0x00}),
              StatusIs(StatusCode::kInvalidArgument));
  TestPki pki;
  Bytes der = pki.root.der();
  der.push_back(0);
  EXPECT_THAT(Certificate::FromDer(der),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("trailing")));
}

TEST(CertificateTest, RealIntelRootCa) {
  auto root = Certificate::FromDer(vouch::testing::ReadTestData("sgx-dcap/intel-sgx-root-ca.der"));
  ASSERT_THAT(root, IsOk());
  EXPECT_EQ(root->SubjectCommonName(), "Intel SGX Root CA");
  EXPECT_EQ(root->SubjectOrganization(), "Intel Corporation");
  EXPECT_THAT(root->VerifySignedBy(*root), IsOk());
  EXPECT_EQ(HexEncode(Sha256(root->der())),
            "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  EXPECT_EQ(HexEncode(root->EcPublicKey()->point()),
            "040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f5"
            "67918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394");
  EXPECT_EQ(FormatRfc3339(root->not_before()), "2018-05-21T10:45:10Z");
}

TEST(CrlTest, IssuedCrlReadsBackAndVerifies) {
  TestPki pki;
  Crl crl = pki.MakeCrl(pki.ca, pki.ca_key, {{3, 4}, {9}});
  EXPECT_EQ(crl.IssuerNameDer(), pki.ca.SubjectNameDer());
  EXPECT_EQ(crl.this_update(), kStart);
  EXPECT_EQ(crl.next_update(), kStart + 30 * 86400);
  EXPECT_EQ(crl.revoked_count(), 2u);
  EXPECT_TRUE(crl.IsRevoked(pki.leaf));
  EXPECT_FALSE(crl.IsRevoked(pki.ca));
  EXPECT_THAT(crl.VerifySignedBy(pki.ca), IsOk());
  EXPECT_THAT(crl.VerifySignedBy(pki.root), ReasonIs("signature_invalid"));
  EXPECT_THAT(Crl::FromDer(Bytes{1, 2, 3}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ChainTest, ValidatesAtTheGivenTime) {
  TestPki pki;
  std::vector<Certificate> intermediates = {pki.ca};
  std::vector<Certificate> roots = {pki.root};
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, intermediates, roots, {}, kStart + 10), IsOk());
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, intermediates, roots, {}, kStart - 10),
              ReasonIs("certificate_time_invalid"));
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, intermediates, roots, {}, kStart + 2 * kYear),
              ReasonIs("certificate_time_invalid"));
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, {}, roots, {}, kStart + 10),
              ReasonIs("certificate_chain_invalid"));
  TestPki other;
  std::vector<Certificate> other_roots = {other.root};
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, intermediates, other_roots, {}, kStart + 10),
              ReasonIs("certificate_chain_invalid"));
}

TEST(ChainTest, ChecksCrlsWhenGiven) {
  TestPki pki;
  std::vector<Certificate> intermediates = {pki.ca};
  std::vector<Certificate> roots = {pki.root};
  std::vector<Crl> clean = {pki.MakeCrl(pki.root, pki.root_key, {}),
                            pki.MakeCrl(pki.ca, pki.ca_key, {})};
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, intermediates, roots, clean, kStart + 10), IsOk());
  std::vector<Crl> revoking = {pki.MakeCrl(pki.root, pki.root_key, {}),
                               pki.MakeCrl(pki.ca, pki.ca_key, {{3, 4}})};
  EXPECT_THAT(VerifyCertificateChain(pki.leaf, intermediates, roots, revoking, kStart + 10),
              ReasonIs("certificate_revoked"));
  std::vector<Crl> missing = {pki.MakeCrl(pki.root, pki.root_key, {})};
  EXPECT_FALSE(VerifyCertificateChain(pki.leaf, intermediates, roots, missing, kStart + 10).ok());
}

}  // namespace
}  // namespace vouch
