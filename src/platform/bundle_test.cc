// Enclave bundles: the strict manifest, the worked example of docs/measurement.md (its
// MRENCLAVE computed independently with Python's hashlib/struct from the documented records),
// reproducibility across directories and creation orders, sensitivity to every input, and
// signing with a SIGSTRUCT.
#include "vouch/platform/bundle.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch::platform {
namespace {

// The worked example of docs/measurement.md.
constexpr char kExampleManifest[] =
    "{\n"
    "  \"format\": \"vouch-enclave/1\",\n"
    "  \"entry\": \"hello.sh\",\n"
    "  \"product_id\": 1,\n"
    "  \"isv_svn\": 1,\n"
    "  \"debug\": false,\n"
    "  \"memory_size\": 65536\n"
    "}\n";
constexpr char kExampleProgram[] = "#!/bin/sh\necho hello\n";
constexpr char kExampleMrEnclave[] =
    "b9886913ca5da66809578d0a174f376a1c4ae21a7579ca512d6053055a44f832";

StatusOr<BundleMeasurement> MeasureInMemory(
    const std::string& manifest_text, std::vector<std::pair<std::string, std::string>> files) {
  VOUCH_ASSIGN_OR_RETURN(BundleManifest manifest, BundleManifest::Parse(manifest_text));
  files.emplace_back(kBundleManifestName, manifest_text);
  std::vector<BundleFileContent> contents;
  for (const auto& [name, data] : files) contents.push_back({name, AsBytes(data)});
  return MeasureBundleFiles(manifest, contents);
}

void WriteText(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  ASSERT_THAT(WriteFileAtomic(path, AsBytes(text), 0755), IsOk());
}

std::string MakeExampleBundle() {
  std::string dir = testing::MakeTempDir("bundle");
  WriteText(dir + "/hello.sh", kExampleProgram);
  WriteText(dir + "/vouch-enclave.json", kExampleManifest);
  return dir;
}

RsaPrivateKey TestKey(int n) {
  return *RsaPrivateKey::FromPem(
      testing::ReadTestDataString("enclave/test_signer_" + std::to_string(n) + ".pem"));
}

TEST(BundleManifestTest, ParsesAndPrintsCanonically) {
  auto m = BundleManifest::Parse(kExampleManifest);
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->entry, "hello.sh");
  EXPECT_EQ(m->product_id, 1);
  EXPECT_EQ(m->isv_svn, 1);
  EXPECT_FALSE(m->debug);
  EXPECT_EQ(m->memory_size, 65536u);
  EXPECT_EQ(m->ToJson(), kExampleManifest);
  // Compact and reordered text parses to the same manifest.
  auto compact = BundleManifest::Parse(
      R"({"memory_size":65536,"debug":false,"isv_svn":1,"product_id":1,"entry":"hello.sh",)"
      R"("format":"vouch-enclave/1"})");
  ASSERT_THAT(compact, IsOk());
  EXPECT_EQ(compact->ToJson(), kExampleManifest);
}

TEST(BundleManifestTest, RejectsEverythingElse) {
  const std::string ok =
      R"({"format":"vouch-enclave/1","entry":"a","product_id":1,"isv_svn":1,"debug":false,)"
      R"("memory_size":65536})";
  ASSERT_THAT(BundleManifest::Parse(ok), IsOk());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = ok;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {replace("\"entry\":\"a\",", ""), "missing \"entry\""},
      {replace("}", ",\"extra\":1}"), "unknown key"},
      {replace("}", ",\"debug\":true}"), "duplicate key"},
      {replace("vouch-enclave/1", "vouch-enclave/2"), "format"},
      {replace("\"product_id\":1", "\"product_id\":65536"), "product_id"},
      {replace("\"product_id\":1", "\"product_id\":-1"), "product_id"},
      {replace("\"product_id\":1", "\"product_id\":1.0"), "product_id"},
      {replace("\"isv_svn\":1", "\"isv_svn\":\"1\""), "isv_svn"},
      {replace("false", "0"), "debug"},
      {replace("65536", "65537"), "memory_size"},
      {replace("65536", "32768"), "memory_size"},
      {replace("65536", "137438953472"), "memory_size"},
      {replace("\"a\"", "\"../a\""), "entry"},
      {replace("\"a\"", "\"/a\""), "entry"},
      {replace("\"a\"", "\"a//b\""), "entry"},
      {replace("\"a\"", "\"a\\nb\""), "entry"},
      {replace("\"a\"", "\"vouch-enclave.json\""), "entry"},
      {replace("\"a\"", "\"vouch-enclave.sig\""), "entry"},
      {replace("\"a\"", "7"), "entry"},
      {"[]", "not a JSON object"},
      {"{", "invalid JSON"},
      {ok + "x", "invalid JSON"},
      {"", "invalid JSON"},
  };
  for (const auto& [text, message] : cases) {
    auto m = BundleManifest::Parse(text);
    EXPECT_THAT(m, ReasonIs("manifest_malformed")) << text;
    EXPECT_THAT(m.status().message(), HasSubstr(message)) << text;
  }
  EXPECT_THAT(BundleManifest::Parse(std::string(70000, ' ')), ReasonIs("manifest_malformed"));
}

TEST(BundleMeasureTest, WorkedExample) {
  auto m = MeasureInMemory(kExampleManifest, {{"hello.sh", kExampleProgram}});
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(HexEncode(m->mr_enclave), kExampleMrEnclave);
  EXPECT_EQ(m->index_pages, 1u);
  EXPECT_EQ(m->total_pages, 3u);
  ASSERT_EQ(m->files.size(), 2u);
  EXPECT_EQ(m->files[0].name, "hello.sh");
  EXPECT_EQ(m->files[0].offset, 0x1000u);
  EXPECT_EQ(m->files[0].secinfo_flags, kBundleEntryPageFlags);
  EXPECT_EQ(m->files[1].name, "vouch-enclave.json");
  EXPECT_EQ(m->files[1].offset, 0x2000u);
  EXPECT_EQ(m->files[1].size, 134u);
  EXPECT_EQ(BundleIndex(m->files), "vouch-enclave-bundle/1\n21 hello.sh\n134 vouch-enclave.json\n");
}

TEST(BundleMeasureTest, ChangesWithEveryInput) {
  const std::string base =
      HexEncode(MeasureInMemory(kExampleManifest, {{"hello.sh", kExampleProgram}})->mr_enclave);
  auto differs = [&](const std::string& manifest,
                     std::vector<std::pair<std::string, std::string>> files) {
    auto m = MeasureInMemory(manifest, std::move(files));
    EXPECT_THAT(m, IsOk());
    return m.ok() && HexEncode(m->mr_enclave) != base;
  };
  auto manifest_with = [](const std::string& from, const std::string& to) {
    std::string s = kExampleManifest;
    return s.replace(s.find(from), from.size(), to);
  };
  // A byte of the program, its length, a trailing zero byte (same pages, different size).
  EXPECT_TRUE(differs(kExampleManifest, {{"hello.sh", "#!/bin/sh\necho hellO\n"}}));
  EXPECT_TRUE(differs(kExampleManifest, {{"hello.sh", std::string(kExampleProgram) + '\0'}}));
  // Another file, an empty file, a file's name.
  EXPECT_TRUE(differs(kExampleManifest, {{"hello.sh", kExampleProgram}, {"data", "x"}}));
  EXPECT_TRUE(differs(kExampleManifest, {{"hello.sh", kExampleProgram}, {"empty", ""}}));
  EXPECT_TRUE(differs(manifest_with("hello.sh", "hellp.sh"), {{"hellp.sh", kExampleProgram}}));
  // Manifest fields: product, SVN, debug, memory size, and the entry program's page flags.
  EXPECT_TRUE(differs(manifest_with("\"product_id\": 1", "\"product_id\": 2"),
                      {{"hello.sh", kExampleProgram}}));
  EXPECT_TRUE(
      differs(manifest_with("\"isv_svn\": 1", "\"isv_svn\": 2"), {{"hello.sh", kExampleProgram}}));
  EXPECT_TRUE(differs(manifest_with("false", "true"), {{"hello.sh", kExampleProgram}}));
  EXPECT_TRUE(differs(manifest_with("65536", "131072"), {{"hello.sh", kExampleProgram}}));
  // The layout: the same bytes split across files differently.
  EXPECT_TRUE(
      differs(manifest_with("hello.sh", "a"), {{"a", "#!/bin/sh\n"}, {"b", "echo hello\n"}}));
  // Whitespace in the manifest text is measured too (it is a file).
  EXPECT_TRUE(differs(manifest_with("{\n", "{ \n"), {{"hello.sh", kExampleProgram}}));
}

TEST(BundleMeasureTest, RejectsBadLayouts) {
  EXPECT_THAT(MeasureInMemory(kExampleManifest, {}), ReasonIs("bundle_malformed"));
  EXPECT_THAT(
      MeasureInMemory(kExampleManifest, {{"hello.sh", kExampleProgram}, {"hello.sh", "again"}}),
      ReasonIs("bundle_malformed"));
  EXPECT_THAT(MeasureInMemory(kExampleManifest, {{"hello.sh", std::string(70000, 'x')}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("larger than memory_size")));
  EXPECT_THAT(MeasureInMemory(kExampleManifest,
                              {{"hello.sh", kExampleProgram}, {"vouch-enclave.sig", "x"}}),
              ReasonIs("bundle_malformed"));
  EXPECT_THAT(MeasureInMemory(kExampleManifest, {{"hello.sh", kExampleProgram}, {"a/../b", ""}}),
              ReasonIs("bundle_malformed"));
  // Exactly filling memory_size is fine: 16 pages = index + manifest + 14 program pages.
  EXPECT_THAT(MeasureInMemory(kExampleManifest, {{"hello.sh", std::string(14 * 4096, 'x')}}),
              IsOk());
  EXPECT_THAT(MeasureInMemory(kExampleManifest, {{"hello.sh", std::string(14 * 4096 + 1, 'x')}}),
              ReasonIs("bundle_malformed"));
}

TEST(BundleTest, DirectoryMatchesInMemoryAndIsReproducible) {
  std::string a = MakeExampleBundle();
  auto bundle = Bundle::Load(a);
  ASSERT_THAT(bundle, IsOk());
  auto m = bundle->Measure();
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(HexEncode(m->mr_enclave), kExampleMrEnclave);
  EXPECT_EQ(HexEncode(bundle->Measure()->mr_enclave), kExampleMrEnclave);
  // Another directory, files created in the other order, other permissions: same value.
  std::string b = testing::MakeTempDir("bundle-other");
  WriteText(b + "/vouch-enclave.json", kExampleManifest);
  WriteText(b + "/hello.sh", kExampleProgram);
  ::chmod((b + "/hello.sh").c_str(), 0600);
  EXPECT_EQ(HexEncode(Bundle::Load(b + "/")->Measure()->mr_enclave), kExampleMrEnclave);
  // The signature file is not measured.
  WriteText(b + "/vouch-enclave.sig", "not yet a signature");
  EXPECT_EQ(HexEncode(Bundle::Load(b)->Measure()->mr_enclave), kExampleMrEnclave);
}

TEST(BundleTest, NestedFilesAndHiddenFilesAreMeasured) {
  std::string dir = MakeExampleBundle();
  const std::string base = HexEncode(Bundle::Load(dir)->Measure()->mr_enclave);
  WriteText(dir + "/lib/data.txt", "data");
  auto with_nested = Bundle::Load(dir);
  ASSERT_THAT(with_nested, IsOk());
  EXPECT_EQ(with_nested->files()[1].first, "lib/data.txt");
  std::string nested = HexEncode(with_nested->Measure()->mr_enclave);
  EXPECT_NE(nested, base);
  auto mem =
      MeasureInMemory(kExampleManifest, {{"hello.sh", kExampleProgram}, {"lib/data.txt", "data"}});
  EXPECT_EQ(HexEncode(mem->mr_enclave), nested);
  WriteText(dir + "/.hidden", "");
  EXPECT_NE(HexEncode(Bundle::Load(dir)->Measure()->mr_enclave), nested);
}

TEST(BundleTest, RefusesLinksMissingEntryAndMissingManifest) {
  std::string dir = MakeExampleBundle();
  ASSERT_EQ(::symlink("hello.sh", (dir + "/link").c_str()), 0);
  EXPECT_THAT(Bundle::Load(dir), StatusIs(StatusCode::kInvalidArgument, HasSubstr("symbolic")));
  std::string no_entry = testing::MakeTempDir("bundle-noentry");
  WriteText(no_entry + "/vouch-enclave.json", kExampleManifest);
  EXPECT_THAT(Bundle::Load(no_entry), ReasonIs("bundle_malformed"));
  std::string empty = testing::MakeTempDir("bundle-empty");
  EXPECT_THAT(Bundle::Load(empty), ReasonIs("bundle_malformed"));
  EXPECT_THAT(Bundle::Load(empty + "/missing"), StatusIs(StatusCode::kNotFound));
  std::string bad = testing::MakeTempDir("bundle-bad");
  WriteText(bad + "/vouch-enclave.json", "{}");
  EXPECT_THAT(Bundle::Load(bad), ReasonIs("manifest_malformed"));
}

TEST(BundleTest, SignedIdentity) {
  std::string dir = MakeExampleBundle();
  Bundle bundle = *Bundle::Load(dir);
  BundleMeasurement m = *bundle.Measure();
  EXPECT_THAT(bundle.SignedIdentity(m), ReasonIs("bundle_unsigned"));

  auto sig = bundle.MakeSigstruct(m, TestKey(1), 0x20250101);
  ASSERT_THAT(sig, IsOk());
  ASSERT_THAT(WriteFileAtomic(dir + "/" + kBundleSignatureName, *sig), IsOk());
  auto id = bundle.SignedIdentity(m);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(HexEncode(id->mr_enclave), kExampleMrEnclave);
  EXPECT_EQ(HexEncode(id->mr_signer),
            "ac15025a11bd1aa99d441fd4fe2f0492de8c40007b1320e63294980081d3a20e");
  EXPECT_EQ(id->product_id, 1);
  EXPECT_EQ(id->isv_svn, 1);
  EXPECT_FALSE(id->debug());
  EXPECT_EQ(id->attributes, EnclaveIdentity::DefaultAttributes(false));

  // A changed program invalidates the signature.
  WriteText(dir + "/hello.sh", "#!/bin/sh\necho bye\n");
  Bundle changed = *Bundle::Load(dir);
  EXPECT_THAT(changed.SignedIdentity(*changed.Measure()), ReasonIs("bundle_signature_mismatch"));
  // A tampered signature file is a SIGSTRUCT failure.
  Bytes bad = *sig;
  bad[960] ^= 1;
  ASSERT_THAT(WriteFileAtomic(dir + "/" + kBundleSignatureName, bad), IsOk());
  EXPECT_THAT(changed.SignedIdentity(*changed.Measure()), ReasonIs("sigstruct_signature_invalid"));
}

}  // namespace
}  // namespace vouch::platform
