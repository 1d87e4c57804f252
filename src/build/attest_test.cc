#include "vouch/build/attest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/rsa.h"
#include "vouch/govern/codes.h"

namespace vouch::build {
namespace {

constexpr char kHello[] = "#!/bin/sh\necho hello\n";
constexpr char kManifest[] =
    "{\n  \"format\": \"vouch-enclave/1\",\n  \"entry\": \"hello.sh\",\n  \"product_id\": 1,\n"
    "  \"isv_svn\": 1,\n  \"debug\": false,\n  \"memory_size\": 65536\n}\n";
constexpr char kToolchain[] =
    R"({"format":"vouch-toolchain/1","components":[)"
    R"({"name":"gcc","version":"12.2.0-14","uri":"pkg:deb/debian/gcc-12@12.2.0-14?arch=amd64",)"
    R"("digest":{"sha256":"b782f07cf5bdca47deea5b7f8d5b5f863bafc35910adafda4f52f6537d9ed3dd"}},)"
    R"({"name":"vouch","version":"0.3.0","uri":"pkg:generic/vouch@0.3.0",)"
    R"("digest":{"sha256":"d21a6c06710d30ba2a93326215d1b99801100c993af7183a09c6607430d67b04"}}]})";

// The worked example of docs/measurement.md §4.
std::string HelloBundle() {
  std::string dir = testing::MakeTempDir("bundle") + "/hello";
  ::mkdir(dir.c_str(), 0755);
  EXPECT_THAT(WriteFileAtomic(dir + "/hello.sh", AsBytes(kHello), 0755), IsOk());
  EXPECT_THAT(WriteFileAtomic(dir + "/vouch-enclave.json", AsBytes(kManifest)), IsOk());
  return dir;
}

std::string WriteTemp(const std::string& name, std::string_view content) {
  std::string path = testing::MakeTempDir("attest") + "/" + name;
  EXPECT_THAT(WriteFileAtomic(path, AsBytes(content)), IsOk());
  return path;
}

TEST(AttestTest, BundleImageDigestAndMeasurementOfTheWorkedExample) {
  auto a = MeasureArtifact(HelloBundle());
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->bundle_format, govern::kBundleFormatVouch);
  // governance.md §6 / derived/examples: the hello bundle's subjects.
  EXPECT_EQ(HexEncode(a->sha256),
            "706048dea44510338ac9fb4a512e0953a15da7df6636730d9c9a597ae1bc0e14");
  EXPECT_EQ(HexEncode(a->mrenclave),
            "b9886913ca5da66809578d0a174f376a1c4ae21a7579ca512d6053055a44f832");
  EXPECT_EQ(a->isv_prod_id, 1);
  EXPECT_EQ(a->isv_svn, 1);
  EXPECT_FALSE(a->debug);
  EXPECT_FALSE(a->mrsigner.has_value());
}

TEST(AttestTest, SignedBundlesAndSigstructFiles) {
  std::string dir = HelloBundle();
  auto bundle = platform::Bundle::Load(dir);
  ASSERT_THAT(bundle, IsOk());
  auto key = RsaPrivateKey::FromPem(testing::ReadTestDataString("enclave/test_signer_1.pem"));
  ASSERT_THAT(key, IsOk());
  auto m = bundle->Measure();
  auto sig = bundle->MakeSigstruct(*m, *key, 0x20261201);
  ASSERT_THAT(sig, IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/" + platform::kBundleSignatureName, *sig), IsOk());
  auto signed_bundle = MeasureArtifact(dir);
  ASSERT_THAT(signed_bundle, IsOk());
  ASSERT_TRUE(signed_bundle->mrsigner.has_value());
  // The signature is not part of the image.
  EXPECT_EQ(HexEncode(signed_bundle->sha256),
            "706048dea44510338ac9fb4a512e0953a15da7df6636730d9c9a597ae1bc0e14");
  std::string sigstruct = WriteTemp("enclave.sig", AsStringView(*sig));
  auto s = MeasureArtifact(sigstruct);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->bundle_format, govern::kBundleFormatSigstruct);
  EXPECT_EQ(s->sha256, Sha256(*sig));
  EXPECT_EQ(s->mrenclave, signed_bundle->mrenclave);
  EXPECT_EQ(s->mrsigner, signed_bundle->mrsigner);
  EXPECT_FALSE(MeasureArtifact(WriteTemp("junk.sig", "junk")).ok());
  EXPECT_THAT(MeasureArtifact(dir + "/missing"), StatusIs(StatusCode::kNotFound));
}

TEST(AttestTest, ToolchainManifestIsStrict) {
  auto m = ToolchainManifest::Parse(AsBytes(kToolchain));
  ASSERT_THAT(m, IsOk());
  ASSERT_EQ(m->components.size(), 2u);
  EXPECT_EQ(m->components[0].name, "gcc");
  EXPECT_EQ(m->components[0].version, "12.2.0-14");
  EXPECT_EQ(m->sha256, Sha256(AsBytes(kToolchain)));
  std::string t = kToolchain;
  auto bad = [&](std::string from, std::string to) {
    std::string s = t;
    s.replace(s.find(from), from.size(), to);
    return ToolchainManifest::Parse(AsBytes(s));
  };
  EXPECT_THAT(bad("vouch-toolchain/1", "vouch-toolchain/2"), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("\"name\":\"gcc\"", "\"name\":\"GCC\""), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("\"name\":\"vouch\"", "\"name\":\"gcc\""), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("pkg:generic", "https://generic"), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("b782f07c", "B782F07C"), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("\"version\":\"0.3.0\",", ""), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("]}", "],\"x\":1}"), ReasonIs(kToolchainMalformed));
  EXPECT_THAT(bad("\"format\"", "\"format\":1,\"format\""), ReasonIs(kToolchainMalformed));
}

TEST(AttestTest, SbomsAreRecognised) {
  auto spdx = ReadSbom(WriteTemp("a.spdx.json", R"({"spdxVersion":"SPDX-2.3","name":"x"})"));
  ASSERT_THAT(spdx, IsOk());
  EXPECT_EQ(spdx->name, "sbom:spdx");
  EXPECT_EQ(spdx->media_type, govern::kSpdxMediaType);
  auto cdx =
      ReadSbom(WriteTemp("b.cdx.json", R"({"bomFormat":"CycloneDX","specVersion":"1.6","v":1.5})"),
               "runtime");
  ASSERT_THAT(cdx, IsOk());
  EXPECT_EQ(cdx->name, "sbom:runtime");
  EXPECT_EQ(cdx->media_type, govern::kCycloneDxMediaType);
  EXPECT_THAT(ReadSbom(WriteTemp("c.json", R"({"hello":1})")), ReasonIs(kSbomMalformed));
  EXPECT_THAT(ReadSbom(WriteTemp("d.json", "not json")), ReasonIs(kSbomMalformed));
  EXPECT_THAT(ReadSbom(WriteTemp("e.json", R"({"spdxVersion":"SPDX-2.3"})"), "Bad Name"),
              ReasonIs(kSbomMalformed));
}

TEST(AttestTest, AttestWritesAValidSignedProvenance) {
  std::string dir = HelloBundle();
  AttestRequest req;
  req.artifact_path = dir;
  req.target = "hello";
  auto source = ParseSource("https://git.example/vouch-apps.git@" + std::string(40, 'a'));
  ASSERT_THAT(source, IsOk());
  req.repository = source->first;
  req.git_commit = source->second;
  req.toolchain_path = WriteTemp("toolchain.json", kToolchain);
  req.sboms = {{"", WriteTemp("a.spdx.json", R"({"spdxVersion":"SPDX-2.3"})")},
               {"", WriteTemp("b.cdx.json", R"({"bomFormat":"CycloneDX"})")}};
  req.builder_id = "https://builder-a.example/vouch";
  req.finished_on = *ParseRfc3339("2026-12-01T09:04:10Z");
  req.started_on = req.finished_on - 250;
  req.invocation_id = "a-0001";
  auto key = LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
  ASSERT_THAT(key, IsOk());
  auto entry = AttestBuild(req, **key);
  ASSERT_THAT(entry, IsOk());
  ASSERT_EQ(entry->signatures().size(), 1u);
  EXPECT_EQ(entry->signatures()[0].keyid, (*key)->verifier().KeyId());
  EXPECT_THAT((*key)->verifier().Verify(entry->SignedBytes(), entry->signatures()[0].sig), IsOk());
  auto st = govern::ParseStatement(entry->payload());
  ASSERT_THAT(st, IsOk());
  const auto& p = std::get<govern::Provenance>(st->predicate);
  EXPECT_EQ(HexEncode(p.mrenclave),
            "b9886913ca5da66809578d0a174f376a1c4ae21a7579ca512d6053055a44f832");
  EXPECT_EQ(p.ref, std::string(40, 'a'));  // no --ref: the commit
  EXPECT_EQ(p.toolchain.size(), 2u);
  ASSERT_EQ(p.byproducts.size(), 2u);
  EXPECT_EQ(p.byproducts[1].name, "sbom:cyclonedx");
  // Two builders attesting the same bundle differ only in their run details.
  AttestRequest other = req;
  other.builder_id = "https://builder-b.example/ci";
  auto b = DescribeBuild(other);
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->mrenclave, p.mrenclave);
  EXPECT_EQ(b->artifact_sha256, p.artifact_sha256);
  // Bad inputs.
  AttestRequest bad = req;
  bad.target = "Hello";
  EXPECT_THAT(AttestBuild(bad, **key), ReasonIs(govern::kPredicateMalformed));
  bad = req;
  bad.repository = "http://git.example/x.git";
  EXPECT_THAT(AttestBuild(bad, **key), ReasonIs(govern::kPredicateMalformed));
  bad = req;
  bad.sboms.push_back({"", req.sboms[0].second});
  EXPECT_THAT(AttestBuild(bad, **key), ReasonIs(kSbomMalformed));
  EXPECT_THAT(ParseSource("https://git.example/x.git"), ReasonIs(kSourceMalformed));
  EXPECT_THAT(ParseSource("https://git.example/x.git@main"), ReasonIs(kSourceMalformed));
  EXPECT_THAT(ParseSource("@" + std::string(40, 'a')), ReasonIs(kSourceMalformed));
}

TEST(AttestTest, DirHash1MatchesGoDirhash) {
  std::string dir = testing::MakeTempDir("dirhash");
  ::mkdir((dir + "/sub").c_str(), 0755);
  ASSERT_THAT(WriteFileAtomic(dir + "/a", AsBytes("hello\n")), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/sub/b", AsBytes("")), IsOk());
  auto h = DirHash1(dir);
  ASSERT_THAT(h, IsOk());
  // SHA-256 of "5891b5b5…  a\ne3b0c442…  sub/b\n" (golang.org/x/mod/sumdb/dirhash Hash1).
  EXPECT_EQ(HexEncode(*h), "c6931495f18e47dda672f291a6fe57a4501fe8919d7bf24c163c19ff8a2682b4");
  ASSERT_EQ(::symlink("a", (dir + "/link").c_str()), 0);
  EXPECT_THAT(DirHash1(dir), StatusIs(StatusCode::kInvalidArgument, HasSubstr("link")));
}

}  // namespace
}  // namespace vouch::build
