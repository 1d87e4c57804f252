#include "vouch/govern/statement.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsse/jcs.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/govern/codes.h"

namespace vouch::govern {
namespace {

using Json = nlohmann::json;

Json ReadJson(const std::string& path) {
  return Json::parse(testing::ReadTestDataString("governance/" + path));
}

Bytes Canonical(const Json& v) { return ToBytes(*internal::CanonicalJson(v)); }

Json ExampleStatement(const std::string& name) {
  return ReadJson("derived/examples/" + name + ".statement.json");
}

Bytes ExamplePayload(const std::string& name) {
  Json entry =
      Json::parse(testing::ReadTestDataString("governance/derived/examples/" + name + ".entry"));
  return *Base64Decode(entry["payload"].get<std::string>());
}

struct Outcome {
  std::string code;  // "" when it parsed
  std::string path;
};

Outcome Check(const Json& statement) {
  ParseDiagnostics diag;
  auto st = ParseStatement(Canonical(statement), &diag);
  if (st.ok()) return {"", ""};
  return {st.status().reason(), diag.path};
}

// Applies `value` at JSON pointer `pointer` (null `value` removes it).
Json Mutate(Json v, const std::string& pointer, const Json& value) {
  Json::json_pointer ptr(pointer);
  if (value.is_null()) {
    v[ptr.parent_pointer()].erase(ptr.back());
  } else {
    v[ptr] = value;
  }
  return v;
}

void ExpectOutcome(const Json& statement, const std::string& code, const std::string& path) {
  Outcome o = Check(statement);
  EXPECT_EQ(o.code, code);
  EXPECT_EQ(o.path, path);
}

const char* const kExamples[] = {"provenance-builder-a", "provenance-builder-b", "admission",
                                 "revocation", "processing-record"};

TEST(StatementTest, ExamplesParseAndEncodeBackByteForByte) {
  for (const char* name : kExamples) {
    SCOPED_TRACE(name);
    Bytes payload = ExamplePayload(name);
    auto st = ParseStatement(payload);
    ASSERT_THAT(st, IsOk());
    auto encoded = EncodeStatement(*st);
    ASSERT_THAT(encoded, IsOk());
    EXPECT_EQ(AsStringView(*encoded), AsStringView(payload));
  }
}

// EncodeStatement remembers what it parsed back under the payload's SHA-256.
TEST(StatementTest, EncodeRemembersTheStatementItParsedBack) {
  ParsedStatements memo(8);
  for (const char* name : kExamples) {
    SCOPED_TRACE(name);
    auto st = ParseStatement(ExamplePayload(name));
    ASSERT_THAT(st, IsOk());
    auto encoded = EncodeStatement(*st, &memo);
    ASSERT_THAT(encoded, IsOk());
    auto remembered = memo.Get(Sha256(*encoded));
    ASSERT_TRUE(remembered.has_value());
    EXPECT_EQ((*remembered)->kind(), st->kind());
    EXPECT_EQ(AsStringView(*EncodeStatement(**remembered)), AsStringView(*encoded));
  }
  auto st = ParseStatement(ExamplePayload("admission"));
  ASSERT_THAT(st, IsOk());
  std::get<Admission>(st->predicate).constraint = "C:not-a-measurement";
  EXPECT_FALSE(EncodeStatement(*st, &memo).ok());
}

TEST(StatementTest, ProvenanceFields) {
  auto st = ParseStatement(ExamplePayload("provenance-builder-a"));
  ASSERT_THAT(st, IsOk());
  ASSERT_EQ(st->kind(), StatementKind::kProvenance);
  const auto& p = std::get<Provenance>(st->predicate);
  EXPECT_EQ(p.target, "hello");
  EXPECT_EQ(HexEncode(p.mrenclave),
            "b9886913ca5da66809578d0a174f376a1c4ae21a7579ca512d6053055a44f832");
  EXPECT_EQ(HexEncode(p.artifact_sha256),
            "706048dea44510338ac9fb4a512e0953a15da7df6636730d9c9a597ae1bc0e14");
  EXPECT_EQ(p.isv_prod_id, 1);
  EXPECT_EQ(p.isv_svn, 1);
  EXPECT_FALSE(p.debug);
  EXPECT_FALSE(p.mrsigner.has_value());
  EXPECT_EQ(p.repository, "https://git.example/vouch-apps.git");
  EXPECT_EQ(p.ref, "refs/tags/hello-1.0.0");
  EXPECT_EQ(p.git_commit, "5f1c0a3e9b7d2c4e6a8f0b1d3c5e7a9b2d4f6e8a");
  EXPECT_EQ(p.bundle_format, kBundleFormatVouch);
  EXPECT_EQ(p.builder_id, "https://builder-a.example/vouch");
  ASSERT_EQ(p.toolchain.size(), 3u);
  EXPECT_EQ(p.toolchain[1].name, "gcc");
  EXPECT_EQ(p.toolchain[1].version, "12.2.0-14");
  EXPECT_FALSE(p.toolchain[0].version.has_value());
  ASSERT_EQ(p.byproducts.size(), 2u);
  EXPECT_EQ(p.byproducts[0].name, "sbom:spdx");
  EXPECT_EQ(p.finished_on, *ParseTimestamp("2026-12-01T09:04:10Z"));
  EXPECT_EQ(st->issued_on(), p.finished_on);
  EXPECT_EQ(st->ledger(), nullptr);
}

TEST(StatementTest, GovernanceFields) {
  auto adm = ParseStatement(ExamplePayload("admission"));
  ASSERT_THAT(adm, IsOk());
  const auto& a = std::get<Admission>(adm->predicate);
  EXPECT_EQ(a.role, Role::kWorkload);
  EXPECT_EQ(a.ledger, "log.example/vouch");
  ASSERT_EQ(a.reproduced_by.size(), 2u);
  EXPECT_EQ(a.reproduced_by[0].index, 3u);
  EXPECT_EQ(HexEncode(a.reproduced_by[1].sha256),
            "9db5021d6bb89cafe3d30ec3a6c3954a6f1e5992ea2d91b95bc351aba81c778d");
  EXPECT_EQ(*adm->ledger(), "log.example/vouch");
  auto rev = ParseStatement(ExamplePayload("revocation"));
  ASSERT_THAT(rev, IsOk());
  EXPECT_EQ(std::get<Revocation>(rev->predicate).kind, RevocationKind::kMeasurement);
  EXPECT_EQ(std::get<Revocation>(rev->predicate).reason, "vulnerability");
  auto rec = ParseStatement(ExamplePayload("processing-record"));
  ASSERT_THAT(rec, IsOk());
  const auto& r = std::get<ProcessingRecord>(rec->predicate);
  EXPECT_EQ(r.activity_id, "payroll-db");
  EXPECT_EQ(r.activity_version, 1u);
  ASSERT_EQ(r.controllers.size(), 2u);
  EXPECT_EQ(r.controllers[1].role, "dpo");
  EXPECT_EQ(r.erasure_time_limits[1].limit, "P3650D");
  EXPECT_EQ(r.covers[0].index, 6u);
}

TEST(StatementTest, InTotoGoVectors) {
  Json vectors = ReadJson("in-toto-attestation/statement-tests.json")["vectors"];
  ASSERT_EQ(vectors.size(), 10u);
  for (const Json& v : vectors) {
    std::string id = v["id"];
    SCOPED_TRACE(id);
    std::string text = v["statement"];
    // As raw payloads: not canonical (S1).
    EXPECT_THAT(ParseStatement(AsBytes(text)), ReasonIs(kPayloadNotCanonical));
    // Parsed and canonicalised: the Vouch result (first word of "vouch").
    std::string want = v["vouch"].get<std::string>();
    want = want.substr(0, want.find(' '));
    Json st = Json::parse(text);
    EXPECT_EQ(Check(st).code, want);
    // With an accepted digest algorithm instead of "alg1", the type decides.
    if (id == "empty-predicate-type" || id == "no-predicate" || id == "valid-v1") {
      st["subject"][0]["digest"] = {{"sha256", std::string(64, 'a')}};
      EXPECT_EQ(Check(st).code, kPredicateTypeUnknown);
    }
  }
}

TEST(StatementTest, SigstoreStatements) {
  // npm's SLSA v1 provenance (GitHub Actions buildType): not canonical as a payload, and once
  // canonicalised its sha512 subject digest is not accepted in the ledger.
  Json bundle = ReadJson("sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json");
  Bytes payload = *Base64Decode(bundle["dsseEnvelope"]["payload"].get<std::string>());
  EXPECT_THAT(ParseStatement(payload), ReasonIs(kPayloadNotCanonical));
  Json st = Json::parse(AsStringView(payload));
  EXPECT_EQ(st["predicateType"], kSlsaProvenanceType);
  EXPECT_EQ(Check(st).code, kSubjectInvalid);
  st["subject"][0]["digest"] = {{"sha256", std::string(64, 'b')}};
  ExpectOutcome(st, kProvenanceBuildTypeUnknown, "/predicate/buildDefinition/buildType");
  // Statement v0.1 (SLSA v0.2).
  Json old = ReadJson("sigstore-go/bundle-provenance.json");
  Json old_st =
      Json::parse(AsStringView(*Base64Decode(old["dsseEnvelope"]["payload"].get<std::string>())));
  EXPECT_EQ(Check(old_st).code, kStatementTypeInvalid);
}

// `statement` with one subject, the digest `alg`: `hex`.
Json WithSubjectDigest(Json statement, const std::string& alg, const std::string& hex) {
  statement["subject"] = Json::array({{{"digest", {{alg, hex}}}}});
  return statement;
}

// `value` put at `pointer` (null removes it) fails with `code` at `path` ("" when it parses).
struct Mutation {
  // Without `reported_at`, the outcome is reported at `at` itself (nowhere when it parses).
  Mutation(std::string at, Json put, std::string fails_with,
           std::optional<std::string> reported_at = std::nullopt)
      : pointer(std::move(at)),
        value(std::move(put)),
        code(std::move(fails_with)),
        path(reported_at ? *reported_at : (code.empty() ? "" : pointer)) {}

  std::string pointer;
  Json value;
  std::string code;
  std::string path;
};

void ExpectMutations(const Json& base, const std::vector<Mutation>& mutations) {
  ASSERT_EQ(Check(base).code, "");
  for (const Mutation& m : mutations) {
    SCOPED_TRACE(m.pointer + " = " + m.value.dump());
    ExpectOutcome(Mutate(base, m.pointer, m.value), m.code, m.path);
  }
}

TEST(StatementTest, ProvenanceMutations) {
  Json p = ExampleStatement("provenance-builder-a");
  const std::string bd = "/predicate/buildDefinition";
  const std::string ep = bd + "/externalParameters";
  const std::string rd = "/predicate/runDetails";
  const std::string deps = bd + "/resolvedDependencies";
  const char* bad = kPredicateMalformed;
  std::vector<Mutation> mutations = {
      {bd + "/buildType", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
       kProvenanceBuildTypeUnknown},
      {ep + "/extra", "x", bad},
      {"/predicate/extra", 1, bad},
      {"/extra", 1, bad},
      {ep + "/source/repository", "http://git.example/vouch-apps.git", bad},
      {ep + "/source/repository", "https://git.example/vouch-apps.git/", bad},
      {ep + "/source/repository", "https://Git.example/vouch-apps.git", bad},
      {ep + "/source/repository", "https://u@git.example/vouch-apps.git", bad},
      {ep + "/source/ref", "refs/tags/hello 1", bad},
      {ep + "/bundleFormat", "elf", bad},
      {ep + "/target", "Hello", bad},
      // The source dependency must repeat repository and ref.
      {deps + "/0/uri", "git+https://other.example/x.git@r", bad},
      {deps + "/0/digest", Json{{"sha256", std::string(64, 'a')}}, bad},
      {deps + "/0/digest/gitCommit", "5F1C", bad},
      {deps + "/1/mediaType", "application/json", bad},
      {deps + "/3/name", "toolchain:image", bad},
      {deps + "/3/uri", "https://gcc.gnu.org", bad},
      {deps + "/3/name", "compiler", bad},
      {rd + "/byproducts/0/mediaType", "text/plain", bad},
      {rd + "/byproducts/1/mediaType", "application/vnd.cyclonedx+json; version=1.6", ""},
      {rd + "/byproducts/0/name", "spdx", bad},
      {rd + "/metadata/startedOn", "2026-12-01T09:05:00Z", bad},
      {rd + "/metadata/finishedOn", "2026-12-01T09:04:10.5Z", bad},
      {rd + "/metadata/finishedOn", nullptr, bad},
      {rd + "/builder/id", "builder a", bad},
      {rd + "/builder/version", Json{{"vouch", "0.3.0"}}, ""},
      // Subjects derive from the predicate.
      {"/subject/0/name", "other", kSubjectMismatch, "/subject/0"},
      {"/subject/1/annotations", nullptr, kSubjectMismatch, "/subject/1"},
      {"/subject/1/annotations/isvProdId", 70000, bad},
      {"/subject/1/annotations/extra", 1, bad},
      {"/subject/0/digest", Json{{"sha512", std::string(128, 'a')}}, kSubjectInvalid,
       "/subject/0/digest/sha512"},
      {"/subject/1/uri", "x", kSubjectInvalid},
      // With a signed bundle's MRSIGNER.
      {"/subject/1/annotations/sgxMrsigner", std::string(64, 'd'), ""},
  };
  ExpectMutations(p, mutations);
  Json no_toolchain = p;
  auto& no_toolchain_deps = no_toolchain["predicate"]["buildDefinition"]["resolvedDependencies"];
  no_toolchain_deps.erase(no_toolchain_deps.begin() + 1);
  ExpectOutcome(no_toolchain, bad, deps);
  Json dep = p;
  dep["predicate"]["buildDefinition"]["resolvedDependencies"].push_back(
      {{"name", "dep:libfoo"}, {"digest", {{"sha256", std::string(64, 'c')}}}});
  EXPECT_EQ(Check(dep).code, "");
  Json swapped = p;
  std::swap(swapped["subject"][0], swapped["subject"][1]);
  EXPECT_EQ(Check(swapped).code, kSubjectMismatch);
}

TEST(StatementTest, AdmissionMutations) {
  Json a = ExampleStatement("admission");
  const std::string mre = "b9886913ca5da66809578d0a174f376a1c4ae21a7579ca512d6053055a44f832";
  const std::string p = "/predicate";
  const char* bad = kPredicateMalformed;
  std::vector<Mutation> mutations = {
      {p + "/role", "admin", bad},
      {p + "/constraint", "C:" + mre + " SEC:STALE", kConstraintNotCanonical},
      {p + "/constraint", "C:XYZ", kConstraintMalformed},
      {p + "/constraint", "S:" + std::string(64, 'A') + " SEC:STALE", kConstraintInvalid},
      {p + "/constraint", "C:" + std::string(128, 'A') + " SEC:STALE", kConstraintNotAllowed},
      {"/subject/0/digest/sgxMrenclave", std::string(64, 'e'), kSubjectMismatch, "/subject"},
      {"/subject/0/name", "hello", kSubjectMismatch, "/subject"},
      {p + "/note", "ask ops@example.org", kPersonalDataSuspected},
      {p + "/note", "hello 1.0.0, see CVE-2026-1234", ""},
      {p + "/notBefore", "2026-02-30T00:00:00Z", bad},
      {p + "/reproducedBy", Json::array(), bad},
      {p + "/reproducedBy/0/index", -1, bad},
      {p + "/ledger", "", bad},
      {p + "/issuedOn", "2026-12-01 10:00:00Z", bad},
  };
  ExpectMutations(a, mutations);
  Json dup = a;
  dup["predicate"]["reproducedBy"][1] = dup["predicate"]["reproducedBy"][0];
  ExpectOutcome(dup, bad, p + "/reproducedBy/1");
  // An S-admission names its signer as the subject.
  Json s = Mutate(a, p + "/constraint", "S:" + std::string(64, 'A') + " PROD:1 SEC:STALE");
  EXPECT_EQ(Check(WithSubjectDigest(s, "sgxMrsigner", std::string(64, 'a'))).code, "");
}

TEST(StatementTest, RevocationMutations) {
  Json r = ExampleStatement("revocation");
  const std::string t = "/predicate/target";
  const char* bad = kPredicateMalformed;
  ExpectMutations(r, {
                         {t + "/kind", "everything", bad},
                         {"/predicate/reason", "because", bad},
                         {t + "/extra", 1, bad},
                         {"/subject/0/digest", Json{{"sgxMrsigner", std::string(64, 'a')}},
                          kSubjectMismatch, "/subject"},
                     });
  // A revocation of `target`, its subject the digest `alg`: `hex`.
  auto revoking = [&r](Json target, const std::string& alg, const std::string& hex) {
    Json v = WithSubjectDigest(r, alg, hex);
    v["predicate"]["target"] = std::move(target);
    return v;
  };
  Json signer = revoking({{"kind", "signer"},
                          {"mrsigner", std::string(64, 'a')},
                          {"productId", 1},
                          {"isvSvnBelow", 3}},
                         "sgxMrsigner", std::string(64, 'a'));
  ExpectMutations(signer, {
                              {t + "/productId", 65536, bad},
                              {t + "/isvSvnBelow", 0, bad},
                          });
  Json key = revoking({{"kind", "builderKey"}, {"keyid", std::string(64, 'f')}}, "sha256",
                      std::string(64, 'f'));
  ExpectMutations(key, {{t + "/keyid", std::string(64, 'F'), bad}});
  Json adm =
      revoking({{"kind", "admission"}, {"entry", {{"index", 6}, {"sha256", std::string(64, '0')}}}},
               "sha256", std::string(64, '0'));
  EXPECT_EQ(Check(adm).code, "");
}

TEST(StatementTest, ProcessingRecordMutations) {
  Json r = ExampleStatement("processing-record");
  const std::string p = "/predicate";
  const char* bad = kPredicateMalformed;
  const char* personal = kPersonalDataSuspected;
  std::vector<Mutation> mutations = {
      {p + "/purposes/0", "Payroll; contact hr@payroll.example.", personal},
      {p + "/recipientCategories/1", "Tax office at 10.1.2.3", personal},
      {p + "/securityMeasures/0", "Refunds to DE89370400440532013000", personal},
      {p + "/dataSubjectCategories/0", "Call +49 (30) 1234-5678", personal},
      {p + "/purposes/0", "Payroll under Regulation (EU) 2016/679", ""},
      {p + "/purposes/0", std::string(201, 'x'), bad},
      {p + "/purposes/0", "a\u0007b", bad},
      {p + "/purposes/0", "a\u2028b", bad},
      {p + "/purposes", Json::array(), bad},
      {p + "/erasureTimeLimits/0/category", "Health data", bad},
      {p + "/erasureTimeLimits/1/limit", "P10Y", bad},
      {p + "/erasureTimeLimits/1/limit", nullptr, bad, p + "/erasureTimeLimits/1"},
      {p + "/controllers/0/role", "dpo", bad, p + "/controllers"},
      {p + "/controllers/0/role", "owner", bad},
      {p + "/activity/version", 0, bad},
      {"/subject/0/digest/sha256", std::string(64, '1'), kSubjectMismatch, "/subject"},
  };
  ExpectMutations(r, mutations);
  Json transfer = r;
  transfer["predicate"]["thirdCountryTransfers"] =
      Json::array({{{"destination", "US"}, {"safeguards", "Standard contractual clauses"}},
                   {{"destination", "io:who"}, {"safeguards", "Art. 46(2)(a) instrument"}}});
  ExpectMutations(transfer, {{p + "/thirdCountryTransfers/0/destination", "Germany", bad}});
}

// ---- provisioning: release record (§4.1) and broker key (§3.7) ----

Json ProvisioningVectors() {
  return Json::parse(
      testing::ReadTestDataString("provisioning/derived/vouch-provisioning-vectors.json"));
}

Bytes FromHex(const Json& v) { return *HexDecode(v.get<std::string>()); }

TEST(StatementTest, ReleaseVectorParsesAndEncodesBackByteForByte) {
  Json vectors = ProvisioningVectors();
  const Json& rel = vectors["release"];
  std::string jcs = rel["statement_jcs"];
  // The entry carries exactly this payload; entry_sha256 and the leaf hash are over the entry.
  std::string entry = rel["entry"];
  EXPECT_EQ(AsStringView(*Base64Decode(Json::parse(entry)["payload"].get<std::string>())), jcs);
  EXPECT_EQ(HexEncode(Sha256(AsBytes(entry))), rel["entry_sha256"]);
  Bytes leaf{0x00};
  leaf.insert(leaf.end(), entry.begin(), entry.end());
  EXPECT_EQ(HexEncode(Sha256(leaf)), rel["leaf_hash"]);

  auto st = ParseStatement(AsBytes(jcs));
  ASSERT_THAT(st, IsOk());
  EXPECT_EQ(st->kind(), StatementKind::kReleaseRecord);
  EXPECT_EQ(st->predicate_type(), kReleaseRecordType);
  auto encoded = EncodeStatement(*st);
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(AsStringView(*encoded), jcs);

  const auto& r = std::get<ReleaseRecord>(st->predicate);
  EXPECT_EQ(*st->ledger(), "example.com/vouch-log");
  EXPECT_EQ(st->issued_on(), *ParseTimestamp("2026-12-02T09:30:00Z"));
  EXPECT_EQ(HexEncode(r.release_id), "8c4f2cf25e8666d49dca7f5ebebe0a93");
  EXPECT_EQ(HexEncode(r.envelope_id), "8b567681de03d0fac436c249cfc78d65");
  EXPECT_EQ(r.broker_mode, BrokerMode::kBroker);
  EXPECT_EQ(r.broker_hpke_keyid, vectors["keys"]["broker_hpke"]["keyid"]);
  EXPECT_EQ(r.broker_signing_keyid, vectors["keys"]["broker_signing_ed25519"]["keyid"]);
  EXPECT_EQ(HexEncode(r.enclave_key), vectors["keys"]["enclave_ephemeral"]["pk"]);
  EXPECT_EQ(r.identity.mode, EnclaveMode::kSimulation);
  EXPECT_EQ(r.identity.summary, SecuritySummary::kInsecure);
  EXPECT_EQ(r.identity.isv_prod_id, 1);
  EXPECT_EQ(r.identity.collateral_time, *ParseTimestamp("2026-12-02T09:25:00Z"));
  EXPECT_FALSE(r.unadmitted_override);
  ASSERT_EQ(r.admitted_by.size(), 1u);
  EXPECT_EQ(r.admitted_by[0].index, 7u);
  EXPECT_EQ(r.checkpoint_size, 42u);
  EXPECT_EQ(r.owners, std::vector<std::string>{vectors["keys"]["owner_signing_ed25519"]["keyid"]});
  EXPECT_EQ(r.activity_id, "payroll-db");
  EXPECT_EQ(r.activity_version, 1u);
  ASSERT_TRUE(r.record.has_value());
  EXPECT_EQ(r.record->index, 9u);
}

TEST(StatementTest, ReleaseRecordFields) {
  Json r = Json::parse(ProvisioningVectors()["release"]["statement_jcs"].get<std::string>());
  const std::string p = "/predicate";
  const std::string hex64(64, 'a');
  const std::string b64_32 = Base64Encode(Bytes(32, 7));
  const std::string b64_31 = Base64Encode(Bytes(31, 7));
  const char* bad = kPredicateMalformed;
  Json ref = {{"index", 3}, {"sha256", hex64}};
  std::vector<Mutation> mutations = {
      {p + "/extra", 1, bad},
      {p + "/releaseId", nullptr, bad},
      {p + "/releaseId", "8C4F2CF25E8666D49DCA7F5EBEBE0A93", bad},
      {p + "/releaseId", "8c4f2cf25e8666d49dca7f5ebebe0a9", bad},
      {p + "/releaseId", 7, bad},
      {p + "/envelope/id", hex64, bad},
      {p + "/envelope/sha256", "abc", bad},
      {p + "/envelope/uri", "x", bad},
      {p + "/broker/mode", "enclave", bad},
      {p + "/broker/mode", "handoff", ""},
      {p + "/broker/mrenclave", std::string(63, 'a'), bad},
      {p + "/broker/hpkeKeyid", std::string(64, 'G'), bad},
      {p + "/broker/signingKeyid", nullptr, bad},
      {p + "/target/role", "broker", bad},
      {p + "/target/constraint",
       "C:088911c10fb9238abb40a4f28c6267cb06678fdfbbe172bfee22010deb87f736 SEC:INSECURE",
       kConstraintNotCanonical},
      {p + "/target/constraint", "C:XYZ", kConstraintMalformed},
      {p + "/target/constraint", "C:" + std::string(4096, 'A'), bad},
      {p + "/target/enclaveKey", b64_31, bad},
      {p + "/target/enclaveKey", "MfLh2SFSg1VbBXgZ/jV7xd2gG90eTd8RECVCy1Qz+WU", bad},
      {p + "/target/identity/mrsigner", "00", bad},
      {p + "/target/identity/isvProdId", 65536, bad},
      {p + "/target/identity/isvSvn", -1, bad},
      {p + "/target/identity/mode", "simulation", bad},
      {p + "/target/identity/mode", "PRODUCTION", bad},
      {p + "/target/identity/mode", "RELEASE", ""},
      {p + "/target/identity/summary", "OK", bad},
      {p + "/target/identity/summary", "STALE", ""},
      {p + "/target/identity/collateralTime", "2026-12-02T09:25:00.5Z", bad},
      {p + "/target/identity/reason", "x", bad},
      // The subject follows target.identity.mrenclave, so changing it alone mismatches.
      {p + "/target/identity/mrenclave", hex64, kSubjectMismatch, "/subject"},
      {p + "/evidence/type", "sgx-dcap", bad},
      {p + "/evidence/quoteSha256", nullptr, bad},
      {p + "/evidence/nonce", b64_31, bad},
      {p + "/evidence/quote", b64_32, bad},
      {p + "/authorization/unadmittedOverride", "false", bad},
      {p + "/authorization/unadmittedOverride", true, bad, p + "/authorization/admittedBy"},
      {p + "/authorization/admittedBy", Json::array(), bad},
      {p + "/authorization/admittedBy/0/index", -1, bad},
      {p + "/authorization/admittedBy/1",
       Json::parse(r["predicate"]["authorization"]["admittedBy"][0].dump()), bad},
      {p + "/authorization/checkpoint/size", "42", bad},
      {p + "/authorization/checkpoint/rootHash", b64_31, bad},
      {p + "/authorization/checkpoint/treeId", 1, bad},
      {p + "/owners", Json::array(), bad},
      {p + "/owners/0", "4E942802BA9453FEC54595DAE989E5C09DEF30AC903D331592194FF36F597705", bad},
      {p + "/owners/1", std::string(64, '0'), bad},
      {p + "/owners/1", "4e942802ba9453fec54595dae989e5c09def30ac903d331592194ff36f597705", bad},
      {p + "/owners/1", std::string(64, 'f'), ""},
      {p + "/owners", Json::array({"0", "1"}), bad, p + "/owners/0"},
      {p + "/activity", nullptr, bad, p + "/record"},
      {p + "/record", nullptr, bad, p + "/activity"},
      {p + "/activity/id", "Payroll", bad},
      {p + "/activity/version", 0, bad},
      {p + "/record/index", "9", bad},
      {p + "/record/sha256", "ab", bad},
      {p + "/ledger", "", bad},
      {p + "/issuedOn", "2026-12-02", bad},
      {"/subject/0/digest/sha256", hex64, kSubjectMismatch, "/subject"},
      {"/subject/1/name", "workload", kSubjectMismatch, "/subject"},
  };
  ExpectMutations(r, mutations);
  // Eight owners at most, 32 admittedBy references at most.
  Json owners = Json::array();
  for (int i = 0; i < 9; ++i) owners.push_back(std::string(63, 'a') + std::to_string(i));
  ExpectOutcome(Mutate(r, p + "/owners", owners), bad, p + "/owners");
  owners.erase(owners.size() - 1);
  EXPECT_EQ(Check(Mutate(r, p + "/owners", owners)).code, "");
  Json refs = Json::array();
  for (int i = 0; i < 33; ++i) refs.push_back({{"index", i}, {"sha256", hex64}});
  ExpectOutcome(Mutate(r, p + "/authorization/admittedBy", refs), bad,
                p + "/authorization/admittedBy");
  // The override: admittedBy empty.
  Json override_ = Mutate(r, p + "/authorization/unadmittedOverride", true);
  EXPECT_EQ(Check(Mutate(override_, p + "/authorization/admittedBy", Json::array())).code, "");
  // Neither activity nor record.
  EXPECT_EQ(Check(Mutate(Mutate(r, p + "/activity", nullptr), p + "/record", nullptr)).code, "");
  // Mode and summary names round-trip.
  Json debug = Mutate(r, p + "/target/identity/mode", "DEBUG");
  auto st = ParseStatement(Canonical(debug));
  ASSERT_THAT(st, IsOk());
  EXPECT_EQ(AsStringView(*EncodeStatement(*st)), AsStringView(Canonical(debug)));
}

// A broker-key statement for the vectors' broker keys.
Json BrokerKeyStatement() {
  Json keys = ProvisioningVectors()["keys"];
  const Json& hpke = keys["broker_hpke"];
  const Json& signing = keys["broker_signing_ed25519"];
  Bytes quote = ToBytes("a stand-in for the broker's DCAP quote");
  const std::string mrenclave = "ea0991c7cab7fa05e09cae7fccc1072c789d4a4fe455f7d606910b7350887db8";
  return {{"_type", kStatementType},
          {"subject",
           Json::array({{{"name", "broker"}, {"digest", {{"sgxMrenclave", mrenclave}}}},
                        {{"name", "signing-key"}, {"digest", {{"sha256", signing["keyid"]}}}}})},
          {"predicateType", kBrokerKeyType},
          {"predicate",
           {{"ledger", "example.com/vouch-log"},
            {"issuedOn", "2026-12-02T09:00:00Z"},
            {"mode", "broker"},
            {"hpkeKey", {{"keyid", hpke["keyid"]}, {"spki", Base64Encode(FromHex(hpke["spki"]))}}},
            {"signingKey",
             {{"keyid", signing["keyid"]}, {"spki", Base64Encode(FromHex(signing["spki"]))}}},
            {"identity",
             {{"mrenclave", mrenclave},
              {"mrsigner", std::string(64, '5')},
              {"isvProdId", 2},
              {"isvSvn", 3},
              {"mode", "SIMULATION"},
              {"summary", "INSECURE"},
              {"collateralTime", "2026-12-02T08:55:00Z"}}},
            {"evidence",
             {{"quote", Base64Encode(quote)}, {"quoteSha256", HexEncode(Sha256(quote))}}}}}};
}

TEST(StatementTest, BrokerKeyRoundTrip) {
  Json keys = ProvisioningVectors()["keys"];
  Json b = BrokerKeyStatement();
  Bytes payload = Canonical(b);
  auto st = ParseStatement(payload);
  ASSERT_THAT(st, IsOk());
  EXPECT_EQ(st->kind(), StatementKind::kBrokerKey);
  EXPECT_EQ(st->predicate_type(), kBrokerKeyType);
  const auto& k = std::get<BrokerKey>(st->predicate);
  EXPECT_EQ(k.hpke_key.KeyId(), keys["broker_hpke"]["keyid"]);
  EXPECT_EQ(HexEncode(k.hpke_key.key), keys["broker_hpke"]["pk"]);
  EXPECT_EQ(k.signing_key.KeyId(), keys["broker_signing_ed25519"]["keyid"]);
  EXPECT_EQ(k.mode, BrokerMode::kBroker);
  EXPECT_EQ(k.identity.isv_svn, 3);
  EXPECT_EQ(AsStringView(k.quote), "a stand-in for the broker's DCAP quote");
  auto encoded = EncodeStatement(*st);
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(AsStringView(*encoded), AsStringView(payload));

  // Built from typed values, it encodes to the same bytes.
  BrokerKey built;
  built.ledger = "example.com/vouch-log";
  built.issued_on = *ParseTimestamp("2026-12-02T09:00:00Z");
  built.mode = BrokerMode::kBroker;
  built.hpke_key.key = *X25519PublicKeyFromSpki(FromHex(keys["broker_hpke"]["spki"]));
  built.signing_key.key = *PublicKeyFromSpki(FromHex(keys["broker_signing_ed25519"]["spki"]));
  built.identity = k.identity;
  built.quote = ToBytes("a stand-in for the broker's DCAP quote");
  auto again = EncodeStatement(Statement{built});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(AsStringView(*again), AsStringView(payload));
}

TEST(StatementTest, BrokerKeyReportDataVector) {
  Json vectors = ProvisioningVectors();
  const Json& keys = vectors["keys"];
  auto hpke = X25519PublicKeyFromSpki(FromHex(keys["broker_hpke"]["spki"]));
  ASSERT_THAT(hpke, IsOk());
  std::array<uint8_t, 64> rd =
      BrokerKeyReportData(*hpke, FromHex(keys["broker_signing_ed25519"]["spki"]));
  EXPECT_EQ(HexEncode(rd), vectors["report_data"]["broker_key"]["report_data"]);
}

TEST(StatementTest, BrokerKeyFields) {
  Json keys = ProvisioningVectors()["keys"];
  Json b = BrokerKeyStatement();
  const std::string p = "/predicate";
  const char* bad = kPredicateMalformed;
  const std::string ed_spki = Base64Encode(FromHex(keys["broker_signing_ed25519"]["spki"]));
  const std::string x_spki = Base64Encode(FromHex(keys["broker_hpke"]["spki"]));
  std::vector<Mutation> mutations = {
      {p + "/extra", 1, bad},
      {p + "/mode", "root", bad},
      {p + "/mode", "handoff", ""},
      {p + "/hpkeKey/keyid", std::string(64, 'a'), kKeyidMismatch},
      {p + "/hpkeKey/spki", ed_spki, kKeyMalformed},
      {p + "/hpkeKey/spki", "%%", kKeyMalformed},
      {p + "/hpkeKey/pk", "x", bad},
      {p + "/signingKey/spki", x_spki, kKeyMalformed},
      {p + "/signingKey/keyid", std::string(64, 'a'), kKeyidMismatch},
      {p + "/identity/isvSvn", 70000, bad},
      {p + "/identity/mode", "PRODUCTION", bad},
      {p + "/identity/summary", nullptr, bad},
      {p + "/identity/mrenclave", std::string(64, 'b'), kSubjectMismatch, "/subject"},
      {p + "/evidence/quote", "", bad},
      {p + "/evidence/quote", Base64Encode(ToBytes("another quote")), bad,
       p + "/evidence/quoteSha256"},
      {p + "/evidence/quoteSha256", std::string(64, '0'), bad},
      {p + "/evidence/collateral", Json::object(), bad},
      {p + "/ledger", nullptr, bad},
      {"/subject/1/digest/sha256", std::string(64, 'c'), kSubjectMismatch, "/subject"},
  };
  ExpectMutations(b, mutations);
}

Json RewrapStatement() {
  const std::string to_sha = std::string(62, 'b') + "01";
  return {{"_type", kStatementType},
          {"subject", Json::array({{{"name", "envelope"}, {"digest", {{"sha256", to_sha}}}}})},
          {"predicateType", kRewrapType},
          {"predicate",
           {{"ledger", "example.com/vouch-log"},
            {"issuedOn", "2026-12-05T10:00:00Z"},
            {"reason", "wrong_measurement"},
            {"from",
             {{"id", std::string(32, '1')},
              {"sha256", std::string(64, 'a')},
              {"constraint", "C:" + std::string(64, 'A') + " SEC:INSECURE"}}},
            {"to",
             {{"id", std::string(32, '2')},
              {"sha256", to_sha},
              {"constraint", "C:" + std::string(64, 'C') + " SEC:STALE"},
              {"brokerKeyid", std::string(64, 'd')},
              {"unadmittedOverride", false}}},
            {"threshold", 2},
            {"custodians", Json::array({std::string(64, 'e'), std::string(64, 'f')})}}}};
}

TEST(StatementTest, RewrapRoundTrip) {
  Json w = RewrapStatement();
  Bytes payload = Canonical(w);
  auto st = ParseStatement(payload);
  ASSERT_THAT(st, IsOk());
  EXPECT_EQ(st->kind(), StatementKind::kRewrap);
  EXPECT_EQ(st->predicate_type(), kRewrapType);
  EXPECT_EQ(StatementKindName(st->kind()), "rewrap");
  ASSERT_NE(st->ledger(), nullptr);
  EXPECT_EQ(*st->ledger(), "example.com/vouch-log");
  EXPECT_EQ(st->issued_on(), *ParseTimestamp("2026-12-05T10:00:00Z"));
  const auto& r = std::get<Rewrap>(st->predicate);
  EXPECT_EQ(r.reason, "wrong_measurement");
  EXPECT_EQ(HexEncode(r.from.id), std::string(32, '1'));
  EXPECT_EQ(r.to.constraint, "C:" + std::string(64, 'C') + " SEC:STALE");
  EXPECT_EQ(r.to_broker_keyid, std::string(64, 'd'));
  EXPECT_FALSE(r.to_unadmitted_override);
  EXPECT_EQ(r.threshold, 2);
  EXPECT_EQ(r.custodians.size(), 2U);
  auto encoded = EncodeStatement(*st);
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(AsStringView(*encoded), AsStringView(payload));
  // Built from typed values, it encodes to the same bytes.
  auto again = EncodeStatement(Statement{r});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(AsStringView(*again), AsStringView(payload));
}

TEST(StatementTest, RewrapFields) {
  Json w = RewrapStatement();
  const std::string p = "/predicate";
  const char* bad = kPredicateMalformed;
  std::vector<Mutation> mutations = {
      {p + "/extra", 1, bad},
      {p + "/reason", "lost", bad},
      {p + "/reason", "broker_key_lost", ""},
      {p + "/reason", "other", ""},
      {p + "/ledger", nullptr, bad},
      {p + "/issuedOn", "2026-12-05", bad},
      {p + "/from/id", std::string(31, '1'), bad},
      {p + "/from/sha256", std::string(64, 'A'), bad},
      {p + "/from/brokerKeyid", std::string(64, 'd'), bad},
      {p + "/from/constraint", "C:" + std::string(64, 'a'), kConstraintNotCanonical},
      {p + "/from/constraint", "C:XYZ", kConstraintMalformed},
      {p + "/to/constraint", "C:" + std::string(5000, 'A'), bad},
      {p + "/to/id", std::string(32, '1'), bad},
      {p + "/to/brokerKeyid", nullptr, bad},
      {p + "/to/unadmittedOverride", "no", bad},
      {p + "/to/unadmittedOverride", true, ""},
      {p + "/to/sha256", std::string(64, 'c'), kSubjectMismatch, "/subject"},
      {p + "/threshold", 1, bad},
      {p + "/threshold", 17, bad},
      {p + "/threshold", 3, bad, p + "/custodians"},
      {p + "/custodians", Json::array({std::string(64, 'f'), std::string(64, 'e')}), bad,
       p + "/custodians/1"},
      {p + "/custodians", Json::array({std::string(64, 'e'), std::string(64, 'e')}), bad,
       p + "/custodians/1"},
      {p + "/custodians/1", "F", bad},
      {"/subject/0/name", "target", kSubjectMismatch, "/subject"},
  };
  ExpectMutations(w, mutations);
}

// The fuzz target's seeds for the provisioning predicates are valid statements (tests run in the
// source tree's root).
TEST(StatementTest, ProvisioningFuzzSeedsParse) {
  for (const char* name : {"release-record.json", "broker-key.json", "rewrap.json"}) {
    SCOPED_TRACE(name);
    std::ifstream in(std::string("fuzz/corpus/govern_statement/") + name, std::ios::binary);
    ASSERT_TRUE(in.good());
    std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto st = ParseStatement(AsBytes(seed));
    ASSERT_THAT(st, IsOk());
    EXPECT_EQ(AsStringView(*EncodeStatement(*st)), seed);
  }
  // The broker-key seed is the statement the tests build.
  std::ifstream in("fuzz/corpus/govern_statement/broker-key.json", std::ios::binary);
  std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(AsStringView(Canonical(BrokerKeyStatement())), seed);
  std::ifstream rewrap("fuzz/corpus/govern_statement/rewrap.json", std::ios::binary);
  std::string rewrap_seed((std::istreambuf_iterator<char>(rewrap)),
                          std::istreambuf_iterator<char>());
  EXPECT_EQ(AsStringView(Canonical(RewrapStatement())), rewrap_seed);
}

TEST(StatementTest, UnknownTypes) {
  Json a = ExampleStatement("admission");
  ParseDiagnostics diag;
  EXPECT_THAT(
      ParseStatement(Canonical(Mutate(a, "/predicateType", "https://example.com/x")), &diag),
      ReasonIs(kPredicateTypeUnknown));
  EXPECT_FALSE(diag.kind.has_value());
  EXPECT_THAT(ParseStatement(Canonical(
                  Mutate(a, "/predicateType", "https://vouch.invalid/predicates/admission/v2"))),
              ReasonIs(kPredicateTypeUnknown));
  EXPECT_THAT(ParseStatement(Canonical(Mutate(a, "/predicate", nullptr))),
              ReasonIs(kPredicateMalformed));
  EXPECT_THAT(ParseStatement(ToBytes("[]")), ReasonIs(kStatementTypeInvalid));
  EXPECT_THAT(ParseStatement(ToBytes("{\"a\":1.5}")), ReasonIs(kPayloadMalformed));
  EXPECT_THAT(ParseStatement(ToBytes("")), ReasonIs(kPayloadMalformed));
}

TEST(StatementTest, PersonalDataScreen) {
  const struct {
    const char* text;
    std::optional<std::string> rule;
  } kCases[] = {
      {"write to privacy@payroll.example", "e-mail address"},
      {"(privacy@payroll.example).", "e-mail address"},
      {"host 192.168.1.20", "IP address"},
      {"host ::1", "IP address"},
      {"2001:db8::7,", "IP address"},
      {"GB82WEST12345698765432", "IBAN"},
      {"+49 30 1234567", "telephone number"},
      {"030-1234-5678", "telephone number"},
      {"(030) 123 4567", "telephone number"},
      {"Regulation (EU) 2016/679", std::nullopt},
      {"retained until 2026-12-01", std::nullopt},
      {"12345678", std::nullopt},
      {"1234  5678 9", std::nullopt},  // double space breaks the run
      {"Art. 30(1)(a)", std::nullopt},
      {"a@b", std::nullopt},
      {"user@localhost", std::nullopt},
      {"Employees\xc2\xa0of\xc2\xa0x@y.z", "e-mail address"},
      {"1.2.3", std::nullopt},
      {"", std::nullopt},
      {"\xff\xfe", std::nullopt},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(PersonalDataRule(c.text), c.rule) << c.text;
  }
}

TEST(StatementTest, TimestampsAndDurations) {
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTimestamp("2024-02-29T23:59:59Z"), 1709251199);
  for (const char* bad :
       {"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:60Z", "2024-01-01t00:00:00Z", "2024-01-01T00:00:00z",
        "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00.0Z", "2024-1-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
  EXPECT_EQ(*ParseDuration("P365D"), 365 * 86400);
  EXPECT_EQ(*ParseDuration("PT1H"), 3600);
  EXPECT_EQ(*ParseDuration("P1DT2H3M4S"), 86400 + 7200 + 180 + 4);
  EXPECT_EQ(*ParseDuration("PT0S"), 0);
  for (const char* bad : {"P", "PT", "P1DT", "P1Y", "P1M", "P1W", "PT1D", "P1H", "P01D", "PT1M1H",
                          "P1D1D", "p1D", "P-1D", "P1.5D", "P1DT1H ", "P9999999999999D"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vouch::govern
