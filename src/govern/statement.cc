#include "vouch/govern/statement.h"

#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <utility>

#include "dsse/jcs.h"
#include "govern/checker.h"
#include "vouch/base/encoding.h"
#include "vouch/govern/codes.h"

namespace vouch::govern {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxRefSize = 255;
constexpr size_t kMaxUriSize = 2048;
constexpr size_t kMaxQuoteSize = 16 * 1024;

// §3.1 source.repository: https URL, lowercase scheme and host, no userinfo, query, fragment or
// trailing '/'.
bool IsRepositoryUrl(std::string_view s) {
  constexpr std::string_view kScheme = "https://";
  if (s.size() > kMaxUriSize || s.substr(0, kScheme.size()) != kScheme) return false;
  if (!IsPrintableAscii(s, false) || s.back() == '/') return false;
  if (s.find_first_of("?#@") != std::string_view::npos) return false;
  std::string_view rest = s.substr(kScheme.size());
  std::string_view host = rest.substr(0, rest.find('/'));
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
  });
}

// A package URL ("pkg:type/…"), printable ASCII.
bool IsPurl(std::string_view s) {
  return s.size() > 4 && s.size() <= kMaxUriSize && s.substr(0, 4) == "pkg:" &&
         IsPrintableAscii(s, false);
}

bool IsUnicodeSpace(uint32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool IsEmailToken(std::string_view t) {
  size_t at = t.find('@');
  if (at == std::string_view::npos || at == 0 || t.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = t.substr(at + 1);
  for (size_t i = 1; i + 1 < domain.size(); ++i) {
    if (domain[i] == '.') return true;
  }
  return false;
}

bool IsIpToken(std::string_view t) {
  std::string s(t);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool IsIbanToken(std::string_view t) {
  if (t.size() < 15 || t.size() > 34) return false;
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!upper(t[0]) || !upper(t[1]) || !digit(t[2]) || !digit(t[3])) return false;
  return std::all_of(t.begin() + 4, t.end(), [&](char c) { return upper(c) || digit(c); });
}

// Rule (4): at least 9 digits, consecutive digits separated by at most two of ' ', '-', '(',
// ')' (never the same one twice in a row); a leading '+' is part of the run.
bool HasTelephoneRun(std::string_view s) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto sep = [](char c) { return c == ' ' || c == '-' || c == '(' || c == ')'; };
  size_t i = 0;
  while (i < s.size()) {
    if (!digit(s[i])) {
      ++i;
      continue;
    }
    int digits = 0;
    while (true) {
      while (i < s.size() && digit(s[i])) {
        ++digits;
        ++i;
      }
      size_t gap = 0;
      while (i + gap < s.size() && sep(s[i + gap]) && gap < 2 &&
             (gap == 0 || s[i + gap] != s[i + gap - 1])) {
        ++gap;
      }
      if (gap > 0 && i + gap < s.size() && digit(s[i + gap])) {
        i += gap;
        continue;
      }
      break;
    }
    if (digits >= 9) return true;
  }
  return false;
}

Json RefJson(const EntryRef& r) { return {{"index", r.index}, {"sha256", HexEncode(r.sha256)}}; }
Json RefsJson(const std::vector<EntryRef>& refs) {
  Json a = Json::array();
  for (const EntryRef& r : refs) a.push_back(RefJson(r));
  return a;
}
Json KeyJson(const Key& k) {
  return {{"keyid", k.KeyId()}, {"spki", Base64Encode(k.key->spki_der())}};
}
Json DigestJson(const std::vector<std::pair<std::string, std::string>>& d) {
  Json o = Json::object();
  for (const auto& [alg, value] : d) o[alg] = value;
  return o;
}
Json ArtifactJson(const Artifact& a) {
  Json o = {{"name", a.name}, {"digest", DigestJson(a.digest)}};
  if (a.uri) o["uri"] = *a.uri;
  if (a.media_type) o["mediaType"] = *a.media_type;
  return o;
}

Json IdentityJson(const EnclaveIdentity& id) {
  return {{"mrenclave", HexEncode(id.mrenclave)},
          {"mrsigner", HexEncode(id.mrsigner)},
          {"isvProdId", id.isv_prod_id},
          {"isvSvn", id.isv_svn},
          {"mode", EnclaveModeName(id.mode)},
          {"summary", SecuritySummaryName(id.summary)},
          {"collateralTime", FormatRfc3339(id.collateral_time)}};
}

Json ReleaseRecordJson(const ReleaseRecord& p) {
  Json o = {
      {"ledger", p.ledger},
      {"issuedOn", FormatRfc3339(p.issued_on)},
      {"releaseId", HexEncode(p.release_id)},
      {"envelope", {{"id", HexEncode(p.envelope_id)}, {"sha256", HexEncode(p.envelope_sha256)}}},
      {"broker",
       {{"mode", BrokerModeName(p.broker_mode)},
        {"mrenclave", HexEncode(p.broker_mrenclave)},
        {"hpkeKeyid", p.broker_hpke_keyid},
        {"signingKeyid", p.broker_signing_keyid}}},
      {"target",
       {{"role", RoleName(Role::kWorkload)},
        {"constraint", p.constraint},
        {"enclaveKey", Base64Encode(p.enclave_key)},
        {"identity", IdentityJson(p.identity)}}},
      {"evidence",
       {{"type", kEvidenceTypeSgxDcapQuote},
        {"quoteSha256", HexEncode(p.quote_sha256)},
        {"nonce", Base64Encode(p.nonce)}}},
      {"authorization",
       {{"unadmittedOverride", p.unadmitted_override},
        {"admittedBy", RefsJson(p.admitted_by)},
        {"checkpoint",
         {{"size", p.checkpoint_size}, {"rootHash", Base64Encode(p.checkpoint_root_hash)}}}}},
      {"owners", p.owners}};
  if (p.activity_id) o["activity"] = {{"id", *p.activity_id}, {"version", p.activity_version}};
  if (p.record) o["record"] = RefJson(*p.record);
  return o;
}

Json RewrapJson(const Rewrap& p) {
  auto side = [](const RewrapEnvelope& e) {
    return Json{
        {"id", HexEncode(e.id)}, {"sha256", HexEncode(e.sha256)}, {"constraint", e.constraint}};
  };
  Json to = side(p.to);
  to["brokerKeyid"] = p.to_broker_keyid;
  to["unadmittedOverride"] = p.to_unadmitted_override;
  return {{"ledger", p.ledger},
          {"issuedOn", FormatRfc3339(p.issued_on)},
          {"reason", p.reason},
          {"from", side(p.from)},
          {"to", to},
          {"threshold", p.threshold},
          {"custodians", p.custodians}};
}

// ---- subjects derived from predicates ----

Json DerivedSubjects(const Statement& st) {
  Json subjects = Json::array();
  auto digest = [](const char* alg, ByteSpan v) { return Json{{"digest", {{alg, HexEncode(v)}}}}; };
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Provenance>) {
          subjects.push_back(
              {{"name", p.target}, {"digest", {{"sha256", HexEncode(p.artifact_sha256)}}}});
          Json ann = {{"isvProdId", p.isv_prod_id}, {"isvSvn", p.isv_svn}, {"debug", p.debug}};
          if (p.mrsigner) ann["sgxMrsigner"] = HexEncode(*p.mrsigner);
          subjects.push_back({{"name", p.target + "#enclave"},
                              {"digest", {{"sgxMrenclave", HexEncode(p.mrenclave)}}},
                              {"annotations", ann}});
        } else if constexpr (std::is_same_v<T, RootSet>) {
          for (const RootDescriptor& r : p.roots) {
            subjects.push_back({{"name", r.name}, {"digest", {{"sha256", r.key.KeyId()}}}});
          }
        } else if constexpr (std::is_same_v<T, Admission>) {
          auto c = EnclaveConstraint::Parse(p.constraint);
          if (c.ok()) {
            for (const Bytes& h : c->acceptable_code_hashes()) {
              subjects.push_back(digest("sgxMrenclave", h));
            }
            for (const Bytes& s : c->acceptable_signers()) {
              subjects.push_back(digest("sgxMrsigner", s));
            }
          }
        } else if constexpr (std::is_same_v<T, Revocation>) {
          switch (p.kind) {
            case RevocationKind::kMeasurement:
              subjects.push_back(digest("sgxMrenclave", p.mrenclave));
              break;
            case RevocationKind::kSigner:
              subjects.push_back(digest("sgxMrsigner", p.mrsigner));
              break;
            case RevocationKind::kAdmission:
              subjects.push_back(digest("sha256", p.entry.sha256));
              break;
            case RevocationKind::kBuilderKey:
            case RevocationKind::kRootKey:
              subjects.push_back({{"digest", {{"sha256", p.keyid}}}});
              break;
          }
        } else if constexpr (std::is_same_v<T, ProcessingRecord>) {
          for (const EntryRef& r : p.covers) subjects.push_back(digest("sha256", r.sha256));
        } else if constexpr (std::is_same_v<T, ReleaseRecord>) {
          subjects.push_back(
              {{"name", "envelope"}, {"digest", {{"sha256", HexEncode(p.envelope_sha256)}}}});
          subjects.push_back({{"name", "target"},
                              {"digest", {{"sgxMrenclave", HexEncode(p.identity.mrenclave)}}}});
        } else if constexpr (std::is_same_v<T, Rewrap>) {
          subjects.push_back(
              {{"name", "envelope"}, {"digest", {{"sha256", HexEncode(p.to.sha256)}}}});
        } else {
          static_assert(std::is_same_v<T, BrokerKey>);
          subjects.push_back({{"name", "broker"},
                              {"digest", {{"sgxMrenclave", HexEncode(p.identity.mrenclave)}}}});
          subjects.push_back(
              {{"name", "signing-key"}, {"digest", {{"sha256", p.signing_key.KeyId()}}}});
        }
      },
      st.predicate);
  return subjects;
}

// ---- predicate → JSON ----

Json PredicateJson(const Statement& st) {
  return std::visit(
      [](const auto& p) -> Json {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Provenance>) {
          Json deps = Json::array();
          deps.push_back({{"name", "source"},
                          {"uri", "git+" + p.repository + "@" + p.ref},
                          {"digest", {{"gitCommit", p.git_commit}}}});
          deps.push_back({{"name", "toolchain"},
                          {"mediaType", kToolchainMediaType},
                          {"digest", {{"sha256", HexEncode(p.toolchain_sha256)}}}});
          for (const ToolchainComponent& c : p.toolchain) {
            Json d = {{"name", "toolchain:" + c.name},
                      {"uri", c.uri},
                      {"digest", {{"sha256", HexEncode(c.sha256)}}}};
            if (c.version) d["annotations"] = {{"version", *c.version}};
            deps.push_back(d);
          }
          for (const Artifact& a : p.dependencies) deps.push_back(ArtifactJson(a));
          Json build = {{"buildType", kEnclaveBundleBuildType},
                        {"externalParameters",
                         {{"source", {{"repository", p.repository}, {"ref", p.ref}}},
                          {"target", p.target},
                          {"bundleFormat", p.bundle_format}}},
                        {"resolvedDependencies", deps}};
          if (p.internal_parameters_json) {
            build["internalParameters"] = Json::parse(*p.internal_parameters_json, nullptr, false);
          }
          Json builder = {{"id", p.builder_id}};
          if (p.builder_version_json) {
            builder["version"] = Json::parse(*p.builder_version_json, nullptr, false);
          }
          if (p.builder_dependencies_json) {
            builder["builderDependencies"] =
                Json::parse(*p.builder_dependencies_json, nullptr, false);
          }
          Json metadata = {{"finishedOn", FormatRfc3339(p.finished_on)}};
          if (p.started_on) metadata["startedOn"] = FormatRfc3339(*p.started_on);
          if (p.invocation_id) metadata["invocationId"] = *p.invocation_id;
          Json run = {{"builder", builder}, {"metadata", metadata}};
          if (!p.byproducts.empty()) {
            Json by = Json::array();
            for (const Artifact& a : p.byproducts) by.push_back(ArtifactJson(a));
            run["byproducts"] = by;
          }
          return {{"buildDefinition", build}, {"runDetails", run}};
        } else if constexpr (std::is_same_v<T, RootSet>) {
          Json roots = Json::array();
          for (const RootDescriptor& r : p.roots) {
            Json collateral = {{"digest", {{"dirHash", HexEncode(r.collateral_dir_hash)}}}};
            if (r.collateral_uri) collateral["uri"] = *r.collateral_uri;
            Json root = {
                {"name", r.name},
                {"key", KeyJson(r.key)},
                {"constraint", r.constraint},
                {"evidence", {{"quote", Base64Encode(r.quote)}, {"collateral", collateral}}}};
            if (p.version == 1) root["reproducedBy"] = RefsJson(r.reproduced_by);
            roots.push_back(root);
          }
          Json builders = Json::array();
          for (const BuilderDescriptor& b : p.builders) {
            Json keys = Json::array();
            for (const Key& k : b.keys) keys.push_back(KeyJson(k));
            builders.push_back({{"id", b.id}, {"keys", keys}});
          }
          return {{"ledger", p.ledger},
                  {"issuedOn", FormatRfc3339(p.issued_on)},
                  {"version", p.version},
                  {"expires", FormatRfc3339(p.expires)},
                  {"threshold", p.threshold},
                  {"roots", roots},
                  {"builders", builders},
                  {"policy",
                   {{"reproductionThreshold", p.reproduction_threshold},
                    {"maxAdmissionValidity", p.max_admission_validity},
                    {"maxIssueLag", p.max_issue_lag}}}};
        } else if constexpr (std::is_same_v<T, Admission>) {
          Json o = {{"ledger", p.ledger},
                    {"issuedOn", FormatRfc3339(p.issued_on)},
                    {"role", RoleName(p.role)},
                    {"constraint", p.constraint},
                    {"expires", FormatRfc3339(p.expires)},
                    {"reproducedBy", RefsJson(p.reproduced_by)}};
          if (p.not_before) o["notBefore"] = FormatRfc3339(*p.not_before);
          if (p.note) o["note"] = *p.note;
          return o;
        } else if constexpr (std::is_same_v<T, Revocation>) {
          Json target = {{"kind", RevocationKindName(p.kind)}};
          switch (p.kind) {
            case RevocationKind::kMeasurement:
              target["mrenclave"] = HexEncode(p.mrenclave);
              break;
            case RevocationKind::kSigner:
              target["mrsigner"] = HexEncode(p.mrsigner);
              if (p.product_id) target["productId"] = *p.product_id;
              if (p.isv_svn_below) target["isvSvnBelow"] = *p.isv_svn_below;
              break;
            case RevocationKind::kAdmission:
              target["entry"] = RefJson(p.entry);
              break;
            case RevocationKind::kBuilderKey:
            case RevocationKind::kRootKey:
              target["keyid"] = p.keyid;
              break;
          }
          Json o = {{"ledger", p.ledger},
                    {"issuedOn", FormatRfc3339(p.issued_on)},
                    {"target", target},
                    {"reason", p.reason}};
          if (p.note) o["note"] = *p.note;
          return o;
        } else if constexpr (std::is_same_v<T, ReleaseRecord>) {
          return ReleaseRecordJson(p);
        } else if constexpr (std::is_same_v<T, Rewrap>) {
          return RewrapJson(p);
        } else if constexpr (std::is_same_v<T, BrokerKey>) {
          return {
              {"ledger", p.ledger},
              {"issuedOn", FormatRfc3339(p.issued_on)},
              {"mode", BrokerModeName(p.mode)},
              {"hpkeKey",
               {{"keyid", p.hpke_key.KeyId()},
                {"spki", Base64Encode(X25519SpkiOf(p.hpke_key.key))}}},
              {"signingKey", KeyJson(p.signing_key)},
              {"identity", IdentityJson(p.identity)},
              {"evidence",
               {{"quote", Base64Encode(p.quote)}, {"quoteSha256", HexEncode(Sha256(p.quote))}}}};
        } else {
          static_assert(std::is_same_v<T, ProcessingRecord>);
          Json controllers = Json::array();
          for (const ControllerRef& c : p.controllers) {
            controllers.push_back({{"role", c.role}, {"ref", {{"sha256", HexEncode(c.ref)}}}});
          }
          Json transfers = Json::array();
          for (const ThirdCountryTransfer& t : p.third_country_transfers) {
            Json o = {{"destination", t.destination}, {"safeguards", t.safeguards}};
            if (t.documentation) o["documentation"] = {{"sha256", HexEncode(*t.documentation)}};
            transfers.push_back(o);
          }
          Json erasure = Json::array();
          for (const ErasureTimeLimit& e : p.erasure_time_limits) {
            Json o = {{"category", e.category}};
            if (e.limit) o["limit"] = *e.limit;
            if (e.note) o["note"] = *e.note;
            erasure.push_back(o);
          }
          Json o = {{"ledger", p.ledger},
                    {"issuedOn", FormatRfc3339(p.issued_on)},
                    {"activity", {{"id", p.activity_id}, {"version", p.activity_version}}},
                    {"controllers", controllers},
                    {"purposes", p.purposes},
                    {"dataSubjectCategories", p.data_subject_categories},
                    {"personalDataCategories", p.personal_data_categories},
                    {"recipientCategories", p.recipient_categories},
                    {"thirdCountryTransfers", transfers},
                    {"erasureTimeLimits", erasure},
                    {"securityMeasures", p.security_measures},
                    {"covers", RefsJson(p.covers)}};
          if (p.security_documentation) {
            o["securityDocumentation"] = {{"sha256", HexEncode(*p.security_documentation)}};
          }
          return o;
        }
      },
      st.predicate);
}

// ---- JSON → predicate ----

bool ParseGovernanceCommon(Checker& c, const Json& p, std::string* ledger, UnixSeconds* issued) {
  if (!c.String(p["ledger"], "/predicate/ledger", ledger)) return false;
  if (ledger->empty() || !internal::IsValidUtf8(*ledger) ||
      std::any_of(ledger->begin(), ledger->end(),
                  [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; })) {
    return c.Fail(kPredicateMalformed, "/predicate/ledger",
                  "must be the ledger's checkpoint origin (non-empty, no control characters)");
  }
  return c.Timestamp(p["issuedOn"], "/predicate/issuedOn", issued);
}

bool ParseResourceDescriptorList(Checker& c, const Json& v, const std::string& path) {
  if (!c.Array(v, path, 0, 256)) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = Child(path, i);
    if (!c.Object(
            v[i], p, {},
            {"name", "uri", "digest", "content", "downloadLocation", "mediaType", "annotations"})) {
      return false;
    }
    std::vector<std::pair<std::string, std::string>> digest;
    if (v[i].contains("digest") &&
        !c.DigestSet(v[i]["digest"], Child(p, "digest"), kPredicateMalformed, &digest)) {
      return false;
    }
  }
  return true;
}

bool ParseArtifact(Checker& c, const Json& v, const std::string& path, Artifact* out) {
  if (!c.Object(v, path, {"name", "digest"}, {"uri", "mediaType"})) return false;
  out->name = v["name"].get<std::string>();
  if (v.contains("uri")) {
    std::string uri;
    if (!c.String(v["uri"], Child(path, "uri"), &uri)) return false;
    if (uri.empty() || uri.size() > kMaxUriSize || !IsPrintableAscii(uri, false)) {
      return c.Fail(kPredicateMalformed, Child(path, "uri"), "must be a URI of printable ASCII");
    }
    out->uri = uri;
  }
  if (v.contains("mediaType")) {
    std::string mt;
    if (!c.String(v["mediaType"], Child(path, "mediaType"), &mt)) return false;
    if (mt.empty() || mt.size() > 255 || !IsPrintableAscii(mt, true)) {
      return c.Fail(kPredicateMalformed, Child(path, "mediaType"), "must be a media type");
    }
    out->media_type = mt;
  }
  return c.DigestSet(v["digest"], Child(path, "digest"), kPredicateMalformed, &out->digest);
}

bool OnlySha256(Checker& c, const Artifact& a, const std::string& path, Sha256Digest* out) {
  if (a.digest.size() != 1 || a.digest[0].first != "sha256") {
    return c.Fail(kPredicateMalformed, Child(path, "digest"), "must be exactly {\"sha256\": hex}");
  }
  *out = *HexDecodeArray<32>(a.digest[0].second);
  return true;
}

bool ParseProvenance(Checker& c, const Json& p, Provenance* out) {
  const std::string base = "/predicate";
  if (!c.Object(p, base, {"buildDefinition", "runDetails"}, {})) return false;
  const Json& bd = p["buildDefinition"];
  std::string bdp = base + "/buildDefinition";
  if (!c.Object(bd, bdp, {"buildType", "externalParameters", "resolvedDependencies"},
                {"internalParameters"})) {
    return false;
  }
  std::string build_type;
  if (!c.String(bd["buildType"], bdp + "/buildType", &build_type)) return false;
  if (build_type != kEnclaveBundleBuildType) {
    return c.Fail(kProvenanceBuildTypeUnknown, bdp + "/buildType",
                  "\"" + build_type + "\" is not " + kEnclaveBundleBuildType);
  }
  const Json& ep = bd["externalParameters"];
  std::string epp = bdp + "/externalParameters";
  if (!c.Object(ep, epp, {"source", "target", "bundleFormat"}, {}) ||
      !c.Object(ep["source"], epp + "/source", {"repository", "ref"}, {}) ||
      !c.String(ep["source"]["repository"], epp + "/source/repository", &out->repository) ||
      !c.String(ep["source"]["ref"], epp + "/source/ref", &out->ref) ||
      !c.Name(ep["target"], epp + "/target", &out->target) ||
      !c.String(ep["bundleFormat"], epp + "/bundleFormat", &out->bundle_format)) {
    return false;
  }
  if (!IsRepositoryUrl(out->repository)) {
    return c.Fail(kPredicateMalformed, epp + "/source/repository",
                  "must be an https:// URL with a lowercase host and no user, query, fragment "
                  "or trailing '/'");
  }
  if (out->ref.empty() || out->ref.size() > kMaxRefSize || !IsPrintableAscii(out->ref, false)) {
    return c.Fail(kPredicateMalformed, epp + "/source/ref",
                  "must be 1 to 255 printable ASCII characters");
  }
  if (out->bundle_format != kBundleFormatVouch && out->bundle_format != kBundleFormatSigstruct) {
    return c.Fail(kPredicateMalformed, epp + "/bundleFormat",
                  "must be \"vouch-enclave/1\" or \"sgx-sigstruct\"");
  }
  if (bd.contains("internalParameters")) {
    out->internal_parameters_json = *internal::CanonicalJson(bd["internalParameters"]);
  }
  // resolvedDependencies.
  const Json& deps = bd["resolvedDependencies"];
  std::string dp = bdp + "/resolvedDependencies";
  if (!c.Array(deps, dp, 3, 256)) return false;
  std::set<std::string> names;
  bool have_source = false;
  bool have_toolchain = false;
  for (size_t i = 0; i < deps.size(); ++i) {
    std::string ip = Child(dp, i);
    const Json& d = deps[i];
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) {
      return c.Fail(kPredicateMalformed, ip, "every dependency has a string \"name\"");
    }
    std::string name = d["name"].get<std::string>();
    if (!names.insert(name).second) {
      return c.Fail(kPredicateMalformed, ip + "/name", "duplicate name \"" + name + "\"");
    }
    if (name == "source") {
      std::string uri;
      std::vector<std::pair<std::string, std::string>> digest;
      if (!c.Object(d, ip, {"name", "uri", "digest"}, {}) ||
          !c.String(d["uri"], ip + "/uri", &uri) ||
          !c.DigestSet(d["digest"], ip + "/digest", kPredicateMalformed, &digest)) {
        return false;
      }
      if (uri != "git+" + out->repository + "@" + out->ref) {
        return c.Fail(kPredicateMalformed, ip + "/uri",
                      "must be \"git+\" + repository + \"@\" + ref");
      }
      if (digest.size() != 1 || digest[0].first != "gitCommit") {
        return c.Fail(kPredicateMalformed, ip + "/digest", "must be exactly {\"gitCommit\": hex}");
      }
      out->git_commit = digest[0].second;
      have_source = true;
    } else if (name == "toolchain") {
      std::string media;
      if (!c.Object(d, ip, {"name", "mediaType", "digest"}, {}) ||
          !c.String(d["mediaType"], ip + "/mediaType", &media)) {
        return false;
      }
      if (media != kToolchainMediaType) {
        return c.Fail(kPredicateMalformed, ip + "/mediaType",
                      std::string("must be \"") + kToolchainMediaType + "\"");
      }
      if (!c.Sha256Object(d["digest"], ip + "/digest", &out->toolchain_sha256)) return false;
      have_toolchain = true;
    } else if (name.rfind("toolchain:", 0) == 0) {
      ToolchainComponent tc;
      tc.name = name.substr(10);
      if (!IsName(tc.name)) {
        return c.Fail(kPredicateMalformed, ip + "/name", "toolchain:<Name> with a Name");
      }
      if (!c.Object(d, ip, {"name", "uri", "digest"}, {"annotations"}) ||
          !c.String(d["uri"], ip + "/uri", &tc.uri) ||
          !c.Sha256Object(d["digest"], ip + "/digest", &tc.sha256)) {
        return false;
      }
      if (!IsPurl(tc.uri))
        return c.Fail(kPredicateMalformed, ip + "/uri", "must be a purl (pkg:…)");
      if (d.contains("annotations")) {
        std::string version;
        if (!c.Object(d["annotations"], ip + "/annotations", {"version"}, {}) ||
            !c.String(d["annotations"]["version"], ip + "/annotations/version", &version)) {
          return false;
        }
        if (version.empty() || version.size() > 255 || !IsPrintableAscii(version, false)) {
          return c.Fail(kPredicateMalformed, ip + "/annotations/version",
                        "must be 1 to 255 printable ASCII characters");
        }
        tc.version = version;
      }
      out->toolchain.push_back(std::move(tc));
    } else if (name.rfind("dep:", 0) == 0) {
      Artifact a;
      if (!IsName(name.substr(4)))
        return c.Fail(kPredicateMalformed, ip + "/name", "dep:<Name> with a Name");
      if (!ParseArtifact(c, d, ip, &a)) return false;
      out->dependencies.push_back(std::move(a));
    } else {
      return c.Fail(kPredicateMalformed, ip + "/name",
                    "\"" + name + "\" is not source, toolchain, toolchain:<Name> or dep:<Name>");
    }
  }
  if (!have_source || !have_toolchain || out->toolchain.empty()) {
    return c.Fail(kPredicateMalformed, dp,
                  "needs exactly one \"source\", one \"toolchain\" and at least one "
                  "\"toolchain:<Name>\"");
  }
  // runDetails.
  const Json& rd = p["runDetails"];
  std::string rdp = base + "/runDetails";
  if (!c.Object(rd, rdp, {"builder", "metadata"}, {"byproducts"}) ||
      !c.Object(rd["builder"], rdp + "/builder", {"id"}, {"version", "builderDependencies"}) ||
      !c.TypeUri(rd["builder"]["id"], rdp + "/builder/id", &out->builder_id)) {
    return false;
  }
  if (rd["builder"].contains("version")) {
    out->builder_version_json = *internal::CanonicalJson(rd["builder"]["version"]);
  }
  if (rd["builder"].contains("builderDependencies")) {
    if (!ParseResourceDescriptorList(c, rd["builder"]["builderDependencies"],
                                     rdp + "/builder/builderDependencies")) {
      return false;
    }
    out->builder_dependencies_json = *internal::CanonicalJson(rd["builder"]["builderDependencies"]);
  }
  const Json& md = rd["metadata"];
  if (!c.Object(md, rdp + "/metadata", {"finishedOn"}, {"startedOn", "invocationId"}) ||
      !c.Timestamp(md["finishedOn"], rdp + "/metadata/finishedOn", &out->finished_on)) {
    return false;
  }
  if (md.contains("startedOn")) {
    UnixSeconds started = 0;
    if (!c.Timestamp(md["startedOn"], rdp + "/metadata/startedOn", &started)) return false;
    if (started > out->finished_on) {
      return c.Fail(kPredicateMalformed, rdp + "/metadata/startedOn", "is after finishedOn");
    }
    out->started_on = started;
  }
  if (md.contains("invocationId")) {
    std::string id;
    if (!c.String(md["invocationId"], rdp + "/metadata/invocationId", &id)) return false;
    if (id.empty() || id.size() > 255 || !IsPrintableAscii(id, true)) {
      return c.Fail(kPredicateMalformed, rdp + "/metadata/invocationId",
                    "must be 1 to 255 printable ASCII characters");
    }
    out->invocation_id = id;
  }
  if (rd.contains("byproducts")) {
    const Json& by = rd["byproducts"];
    std::string bp = rdp + "/byproducts";
    if (!c.Array(by, bp, 0, 64)) return false;
    std::set<std::string> by_names;
    for (size_t i = 0; i < by.size(); ++i) {
      std::string ip = Child(bp, i);
      Artifact a;
      if (!by[i].is_object() || !by[i].contains("name") || !by[i]["name"].is_string()) {
        return c.Fail(kPredicateMalformed, ip, "every byproduct has a string \"name\"");
      }
      if (!ParseArtifact(c, by[i], ip, &a)) return false;
      if (!by_names.insert(a.name).second) {
        return c.Fail(kPredicateMalformed, ip + "/name", "duplicate name");
      }
      if (a.name.rfind("sbom:", 0) == 0 && IsName(a.name.substr(5))) {
        const std::string mt = a.media_type.value_or("");
        bool spdx = mt == kSpdxMediaType;
        bool cdx = mt == kCycloneDxMediaType ||
                   mt.rfind(std::string(kCycloneDxMediaType) + "; version=", 0) == 0;
        if (!spdx && !cdx) {
          return c.Fail(kPredicateMalformed, ip + "/mediaType",
                        "an SBOM is application/spdx+json or application/vnd.cyclonedx+json");
        }
        Sha256Digest ignored{};
        if (!OnlySha256(c, a, ip, &ignored)) return false;
      } else if (!(a.name.rfind("log:", 0) == 0 && IsName(a.name.substr(4)))) {
        return c.Fail(kPredicateMalformed, ip + "/name", "must be sbom:<Name> or log:<Name>");
      }
      out->byproducts.push_back(std::move(a));
    }
  }
  return true;
}

bool ParseProvenanceSubjects(Checker& c, const Json& subjects, Provenance* out) {
  if (subjects.size() != 2) {
    return c.Fail(kSubjectMismatch, "/subject",
                  "provenance has exactly two subjects: the bundle and its enclave");
  }
  const Json& s0 = subjects[0];
  const Json& s1 = subjects[1];
  if (!s0.contains("name") || s0["name"] != out->target || s0.contains("annotations") ||
      s0["digest"].size() != 1 || !s0["digest"].contains("sha256")) {
    return c.Fail(kSubjectMismatch, "/subject/0",
                  "must be {\"name\": target, \"digest\": {\"sha256\": …}}");
  }
  out->artifact_sha256 = *HexDecodeArray<32>(s0["digest"]["sha256"].get<std::string>());
  if (!s1.contains("name") || s1["name"] != out->target + "#enclave" || s1["digest"].size() != 1 ||
      !s1["digest"].contains("sgxMrenclave") || !s1.contains("annotations")) {
    return c.Fail(kSubjectMismatch, "/subject/1",
                  "must be {\"name\": target#enclave, \"digest\": {\"sgxMrenclave\": …}, "
                  "\"annotations\": …}");
  }
  out->mrenclave = *HexDecodeArray<32>(s1["digest"]["sgxMrenclave"].get<std::string>());
  const Json& ann = s1["annotations"];
  int64_t prod = 0;
  int64_t svn = 0;
  if (!c.Object(ann, "/subject/1/annotations", {"isvProdId", "isvSvn", "debug"}, {"sgxMrsigner"}) ||
      !c.Int(ann["isvProdId"], "/subject/1/annotations/isvProdId", 0, 65535, &prod) ||
      !c.Int(ann["isvSvn"], "/subject/1/annotations/isvSvn", 0, 65535, &svn) ||
      !c.Bool(ann["debug"], "/subject/1/annotations/debug", &out->debug)) {
    return false;
  }
  out->isv_prod_id = static_cast<uint16_t>(prod);
  out->isv_svn = static_cast<uint16_t>(svn);
  if (ann.contains("sgxMrsigner")) {
    Sha256Hash s{};
    if (!c.Digest32(ann["sgxMrsigner"], "/subject/1/annotations/sgxMrsigner", &s)) return false;
    out->mrsigner = s;
  }
  return true;
}

bool ParseRootSet(Checker& c, const Json& p, RootSet* out) {
  if (!c.Object(
          p, "/predicate",
          {"ledger", "issuedOn", "version", "expires", "threshold", "roots", "builders", "policy"},
          {}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on)) {
    return false;
  }
  int64_t version = 0;
  if (!c.Int(p["version"], "/predicate/version", 1, internal::kMaxJsonInteger, &version) ||
      !c.Timestamp(p["expires"], "/predicate/expires", &out->expires) ||
      !c.Array(p["roots"], "/predicate/roots", 1, kMaxRoots) ||
      !c.Array(p["builders"], "/predicate/builders", 1, kMaxBuilders)) {
    return false;
  }
  out->version = static_cast<uint64_t>(version);
  int64_t threshold = 0;
  if (!c.Int(p["threshold"], "/predicate/threshold", 1, static_cast<int64_t>(p["roots"].size()),
             &threshold)) {
    return false;
  }
  out->threshold = static_cast<uint32_t>(threshold);
  std::set<std::string> names;
  for (size_t i = 0; i < p["roots"].size(); ++i) {
    const Json& r = p["roots"][i];
    std::string rp = Child("/predicate/roots", i);
    RootDescriptor root;
    std::initializer_list<std::string_view> req = {"name", "key", "constraint", "evidence",
                                                   "reproducedBy"};
    std::initializer_list<std::string_view> req2 = {"name", "key", "constraint", "evidence"};
    if (!c.Object(r, rp, version == 1 ? req : req2, {})) return false;
    if (!c.Name(r["name"], rp + "/name", &root.name)) return false;
    if (!names.insert(root.name).second) {
      return c.Fail(kPredicateMalformed, rp + "/name", "duplicate root name");
    }
    EnclaveConstraint constraint;
    if (!c.KeyObject(r["key"], rp + "/key", &root.key) ||
        !c.Constraint(r["constraint"], rp + "/constraint", &root.constraint, &constraint)) {
      return false;
    }
    if (constraint.acceptable_code_hashes().empty() || !constraint.acceptable_signers().empty() ||
        constraint.product_id()) {
      return c.Fail(kConstraintNotAllowed, rp + "/constraint",
                    "a root's constraint names its measurements (C:) and no signer (S:, PROD:)");
    }
    const Json& ev = r["evidence"];
    std::string ep = rp + "/evidence";
    std::string quote_b64;
    if (!c.Object(ev, ep, {"quote", "collateral"}, {}) ||
        !c.String(ev["quote"], ep + "/quote", &quote_b64) ||
        !c.Object(ev["collateral"], ep + "/collateral", {"digest"}, {"uri"}) ||
        !c.Object(ev["collateral"]["digest"], ep + "/collateral/digest", {"dirHash"}, {}) ||
        !c.Digest32(ev["collateral"]["digest"]["dirHash"], ep + "/collateral/digest/dirHash",
                    &root.collateral_dir_hash)) {
      return false;
    }
    auto quote = Base64Decode(quote_b64);
    if (!quote.ok() || quote->empty() || quote->size() > kMaxQuoteSize) {
      return c.Fail(kPredicateMalformed, ep + "/quote", "must be strict base64 of at most 16 KiB");
    }
    root.quote = std::move(quote).value();
    if (ev["collateral"].contains("uri")) {
      std::string uri;
      if (!c.TypeUri(ev["collateral"]["uri"], ep + "/collateral/uri", &uri)) return false;
      root.collateral_uri = uri;
    }
    if (version == 1 && !c.EntryRefs(r["reproducedBy"], rp + "/reproducedBy", 1, kMaxReproducedBy,
                                     &root.reproduced_by)) {
      return false;
    }
    out->roots.push_back(std::move(root));
  }
  for (size_t i = 0; i < p["builders"].size(); ++i) {
    const Json& b = p["builders"][i];
    std::string bp = Child("/predicate/builders", i);
    BuilderDescriptor builder;
    if (!c.Object(b, bp, {"id", "keys"}, {}) || !c.TypeUri(b["id"], bp + "/id", &builder.id) ||
        !c.Array(b["keys"], bp + "/keys", 1, kMaxBuilderKeys)) {
      return false;
    }
    for (size_t k = 0; k < b["keys"].size(); ++k) {
      Key key;
      if (!c.KeyObject(b["keys"][k], Child(bp + "/keys", k), &key)) return false;
      builder.keys.push_back(std::move(key));
    }
    out->builders.push_back(std::move(builder));
  }
  const Json& pol = p["policy"];
  int64_t k = 0;
  if (!c.Object(pol, "/predicate/policy",
                {"reproductionThreshold", "maxAdmissionValidity", "maxIssueLag"}, {}) ||
      !c.Int(pol["reproductionThreshold"], "/predicate/policy/reproductionThreshold", 1,
             static_cast<int64_t>(out->builders.size()), &k) ||
      !c.Duration(pol["maxAdmissionValidity"], "/predicate/policy/maxAdmissionValidity",
                  &out->max_admission_validity) ||
      !c.Duration(pol["maxIssueLag"], "/predicate/policy/maxIssueLag", &out->max_issue_lag)) {
    return false;
  }
  out->reproduction_threshold = static_cast<uint32_t>(k);
  return true;
}

bool ParseAdmission(Checker& c, const Json& p, Admission* out) {
  if (!c.Object(p, "/predicate",
                {"ledger", "issuedOn", "role", "constraint", "expires", "reproducedBy"},
                {"notBefore", "note"}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on)) {
    return false;
  }
  std::string role;
  if (!c.String(p["role"], "/predicate/role", &role)) return false;
  auto r = RoleFromName(role);
  if (!r) return c.Fail(kPredicateMalformed, "/predicate/role", "must be root, broker or workload");
  out->role = *r;
  EnclaveConstraint constraint;
  if (!c.Constraint(p["constraint"], "/predicate/constraint", &out->constraint, &constraint)) {
    return false;
  }
  if (p.contains("notBefore")) {
    UnixSeconds nb = 0;
    if (!c.Timestamp(p["notBefore"], "/predicate/notBefore", &nb)) return false;
    out->not_before = nb;
  }
  if (!c.Timestamp(p["expires"], "/predicate/expires", &out->expires) ||
      !c.EntryRefs(p["reproducedBy"], "/predicate/reproducedBy", 1, kMaxReproducedBy,
                   &out->reproduced_by)) {
    return false;
  }
  if (p.contains("note")) {
    std::string note;
    if (!c.Text(p["note"], "/predicate/note", &note)) return false;
    out->note = note;
  }
  return true;
}

bool ParseRevocation(Checker& c, const Json& p, Revocation* out) {
  if (!c.Object(p, "/predicate", {"ledger", "issuedOn", "target", "reason"}, {"note"}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on)) {
    return false;
  }
  const Json& t = p["target"];
  std::string tp = "/predicate/target";
  if (!t.is_object() || !t.contains("kind") || !t["kind"].is_string()) {
    return c.Fail(kPredicateMalformed, tp, "must be an object with a string \"kind\"");
  }
  auto kind = RevocationKindFromName(t["kind"].get<std::string>());
  if (!kind) {
    return c.Fail(kPredicateMalformed, tp + "/kind",
                  "must be measurement, signer, admission, builderKey or rootKey");
  }
  out->kind = *kind;
  switch (*kind) {
    case RevocationKind::kMeasurement:
      if (!c.Object(t, tp, {"kind", "mrenclave"}, {}) ||
          !c.Digest32(t["mrenclave"], tp + "/mrenclave", &out->mrenclave)) {
        return false;
      }
      break;
    case RevocationKind::kSigner: {
      if (!c.Object(t, tp, {"kind", "mrsigner"}, {"productId", "isvSvnBelow"}) ||
          !c.Digest32(t["mrsigner"], tp + "/mrsigner", &out->mrsigner)) {
        return false;
      }
      int64_t n = 0;
      if (t.contains("productId")) {
        if (!c.Int(t["productId"], tp + "/productId", 0, 65535, &n)) return false;
        out->product_id = static_cast<uint16_t>(n);
      }
      if (t.contains("isvSvnBelow")) {
        if (!c.Int(t["isvSvnBelow"], tp + "/isvSvnBelow", 1, 65536, &n)) return false;
        out->isv_svn_below = static_cast<uint32_t>(n);
      }
      break;
    }
    case RevocationKind::kAdmission: {
      std::vector<EntryRef> refs;
      if (!c.Object(t, tp, {"kind", "entry"}, {})) return false;
      if (!c.EntryRefs(Json::array({t["entry"]}), tp + "/entry", 1, 1, &refs)) return false;
      out->entry = refs[0];
      break;
    }
    case RevocationKind::kBuilderKey:
    case RevocationKind::kRootKey:
      if (!c.Object(t, tp, {"kind", "keyid"}, {}) ||
          !c.Hex(t["keyid"], tp + "/keyid", 64, &out->keyid)) {
        return false;
      }
      break;
  }
  static constexpr std::string_view kReasons[] = {"key_compromise", "vulnerability",
                                                  "superseded",     "not_reproducible",
                                                  "operator_error", "other"};
  if (!c.String(p["reason"], "/predicate/reason", &out->reason)) return false;
  if (std::find(std::begin(kReasons), std::end(kReasons), out->reason) == std::end(kReasons)) {
    return c.Fail(kPredicateMalformed, "/predicate/reason",
                  "must be key_compromise, vulnerability, superseded, not_reproducible, "
                  "operator_error or other");
  }
  if (p.contains("note")) {
    std::string note;
    if (!c.Text(p["note"], "/predicate/note", &note)) return false;
    out->note = note;
  }
  return true;
}

bool IsDestination(std::string_view d) {
  if (d.size() == 2) return d[0] >= 'A' && d[0] <= 'Z' && d[1] >= 'A' && d[1] <= 'Z';
  return d.substr(0, 3) == "io:" && IsName(d.substr(3));
}

bool ParseRecord(Checker& c, const Json& p, ProcessingRecord* out) {
  if (!c.Object(p, "/predicate",
                {"ledger", "issuedOn", "activity", "controllers", "purposes",
                 "dataSubjectCategories", "personalDataCategories", "recipientCategories",
                 "thirdCountryTransfers", "erasureTimeLimits", "securityMeasures", "covers"},
                {"securityDocumentation"}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on)) {
    return false;
  }
  int64_t version = 0;
  if (!c.Object(p["activity"], "/predicate/activity", {"id", "version"}, {}) ||
      !c.Name(p["activity"]["id"], "/predicate/activity/id", &out->activity_id) ||
      !c.Int(p["activity"]["version"], "/predicate/activity/version", 1, internal::kMaxJsonInteger,
             &version) ||
      !c.Array(p["controllers"], "/predicate/controllers", 1, 8)) {
    return false;
  }
  out->activity_version = static_cast<uint64_t>(version);
  bool have_controller = false;
  for (size_t i = 0; i < p["controllers"].size(); ++i) {
    const Json& ctl = p["controllers"][i];
    std::string cp = Child("/predicate/controllers", i);
    ControllerRef ref;
    if (!c.Object(ctl, cp, {"role", "ref"}, {}) ||
        !c.String(ctl["role"], cp + "/role", &ref.role) ||
        !c.Sha256Object(ctl["ref"], cp + "/ref", &ref.ref)) {
      return false;
    }
    if (ref.role != "controller" && ref.role != "joint_controller" &&
        ref.role != "representative" && ref.role != "dpo") {
      return c.Fail(kPredicateMalformed, cp + "/role",
                    "must be controller, joint_controller, representative or dpo");
    }
    have_controller |= ref.role == "controller";
    out->controllers.push_back(ref);
  }
  if (!have_controller) {
    return c.Fail(kPredicateMalformed, "/predicate/controllers",
                  "names at least one \"controller\" (Art. 30(1)(a))");
  }
  if (!c.TextList(p["purposes"], "/predicate/purposes", 1, 16, &out->purposes) ||
      !c.TextList(p["dataSubjectCategories"], "/predicate/dataSubjectCategories", 1, 16,
                  &out->data_subject_categories) ||
      !c.TextList(p["personalDataCategories"], "/predicate/personalDataCategories", 1, 32,
                  &out->personal_data_categories) ||
      !c.TextList(p["recipientCategories"], "/predicate/recipientCategories", 0, 16,
                  &out->recipient_categories) ||
      !c.Array(p["thirdCountryTransfers"], "/predicate/thirdCountryTransfers", 0, 16)) {
    return false;
  }
  for (size_t i = 0; i < p["thirdCountryTransfers"].size(); ++i) {
    const Json& t = p["thirdCountryTransfers"][i];
    std::string tp = Child("/predicate/thirdCountryTransfers", i);
    ThirdCountryTransfer tr;
    if (!c.Object(t, tp, {"destination", "safeguards"}, {"documentation"}) ||
        !c.String(t["destination"], tp + "/destination", &tr.destination) ||
        !c.Text(t["safeguards"], tp + "/safeguards", &tr.safeguards)) {
      return false;
    }
    if (!IsDestination(tr.destination)) {
      return c.Fail(kPredicateMalformed, tp + "/destination",
                    "must be an ISO 3166-1 alpha-2 code or io:<Name>");
    }
    if (t.contains("documentation")) {
      Sha256Digest d{};
      if (!c.Sha256Object(t["documentation"], tp + "/documentation", &d)) return false;
      tr.documentation = d;
    }
    out->third_country_transfers.push_back(std::move(tr));
  }
  if (!c.Array(p["erasureTimeLimits"], "/predicate/erasureTimeLimits", 0, 32)) return false;
  for (size_t i = 0; i < p["erasureTimeLimits"].size(); ++i) {
    const Json& e = p["erasureTimeLimits"][i];
    std::string ep = Child("/predicate/erasureTimeLimits", i);
    ErasureTimeLimit lim;
    if (!c.Object(e, ep, {"category"}, {"limit", "note"}) ||
        !c.String(e["category"], ep + "/category", &lim.category)) {
      return false;
    }
    if (std::find(out->personal_data_categories.begin(), out->personal_data_categories.end(),
                  lim.category) == out->personal_data_categories.end()) {
      return c.Fail(kPredicateMalformed, ep + "/category",
                    "must equal one of personalDataCategories");
    }
    if (!e.contains("limit") && !e.contains("note")) {
      return c.Fail(kPredicateMalformed, ep, "needs a \"limit\", a \"note\" or both");
    }
    if (e.contains("limit")) {
      std::string limit;
      if (!c.Duration(e["limit"], ep + "/limit", &limit)) return false;
      lim.limit = limit;
    }
    if (e.contains("note")) {
      std::string note;
      if (!c.Text(e["note"], ep + "/note", &note)) return false;
      lim.note = note;
    }
    out->erasure_time_limits.push_back(std::move(lim));
  }
  if (!c.TextList(p["securityMeasures"], "/predicate/securityMeasures", 0, 16,
                  &out->security_measures)) {
    return false;
  }
  if (p.contains("securityDocumentation")) {
    Sha256Digest d{};
    if (!c.Sha256Object(p["securityDocumentation"], "/predicate/securityDocumentation", &d)) {
      return false;
    }
    out->security_documentation = d;
  }
  return c.EntryRefs(p["covers"], "/predicate/covers", 1, kMaxCovers, &out->covers);
}

bool ParseBrokerMode(Checker& c, const Json& v, const std::string& path, BrokerMode* out) {
  std::string mode;
  if (!c.String(v, path, &mode)) return false;
  auto m = BrokerModeFromName(mode);
  if (!m) return c.Fail(kPredicateMalformed, path, "must be \"broker\" or \"handoff\"");
  *out = *m;
  return true;
}

// The identity object of §4.1 target.identity (also the broker-key statement's identity).
bool ParseIdentity(Checker& c, const Json& v, const std::string& path, EnclaveIdentity* out) {
  if (!c.Object(
          v, path,
          {"mrenclave", "mrsigner", "isvProdId", "isvSvn", "mode", "summary", "collateralTime"},
          {})) {
    return false;
  }
  int64_t prod = 0;
  int64_t svn = 0;
  std::string mode;
  std::string summary;
  if (!c.Digest32(v["mrenclave"], Child(path, "mrenclave"), &out->mrenclave) ||
      !c.Digest32(v["mrsigner"], Child(path, "mrsigner"), &out->mrsigner) ||
      !c.Int(v["isvProdId"], Child(path, "isvProdId"), 0, 65535, &prod) ||
      !c.Int(v["isvSvn"], Child(path, "isvSvn"), 0, 65535, &svn) ||
      !c.String(v["mode"], Child(path, "mode"), &mode)) {
    return false;
  }
  out->isv_prod_id = static_cast<uint16_t>(prod);
  out->isv_svn = static_cast<uint16_t>(svn);
  auto m = EnclaveModeFromName(mode);
  if (!m) {
    return c.Fail(kPredicateMalformed, Child(path, "mode"),
                  "must be RELEASE, DEBUG, SIMULATION or MOCK (the EII mode)");
  }
  out->mode = *m;
  if (!c.String(v["summary"], Child(path, "summary"), &summary)) return false;
  auto s = SecuritySummaryFromName(summary);
  if (!s) {
    return c.Fail(kPredicateMalformed, Child(path, "summary"),
                  "must be INSECURE, STALE or SECURE (the EII security summary)");
  }
  out->summary = *s;
  return c.Timestamp(v["collateralTime"], Child(path, "collateralTime"), &out->collateral_time);
}

bool ParseReleaseRecord(Checker& c, const Json& p, ReleaseRecord* out) {
  const std::string base = "/predicate";
  if (!c.Object(p, base,
                {"ledger", "issuedOn", "releaseId", "envelope", "broker", "target", "evidence",
                 "authorization", "owners"},
                {"activity", "record"}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on) ||
      !c.HexArray(p["releaseId"], base + "/releaseId", &out->release_id)) {
    return false;
  }
  // envelope
  const Json& env = p["envelope"];
  std::string ep = base + "/envelope";
  if (!c.Object(env, ep, {"id", "sha256"}, {}) ||
      !c.HexArray(env["id"], ep + "/id", &out->envelope_id) ||
      !c.Digest32(env["sha256"], ep + "/sha256", &out->envelope_sha256)) {
    return false;
  }
  // broker
  const Json& br = p["broker"];
  std::string bp = base + "/broker";
  if (!c.Object(br, bp, {"mode", "mrenclave", "hpkeKeyid", "signingKeyid"}, {}) ||
      !ParseBrokerMode(c, br["mode"], bp + "/mode", &out->broker_mode) ||
      !c.Digest32(br["mrenclave"], bp + "/mrenclave", &out->broker_mrenclave) ||
      !c.Hex(br["hpkeKeyid"], bp + "/hpkeKeyid", 64, &out->broker_hpke_keyid) ||
      !c.Hex(br["signingKeyid"], bp + "/signingKeyid", 64, &out->broker_signing_keyid)) {
    return false;
  }
  // target
  const Json& t = p["target"];
  std::string tp = base + "/target";
  std::string role;
  if (!c.Object(t, tp, {"role", "constraint", "enclaveKey", "identity"}, {}) ||
      !c.String(t["role"], tp + "/role", &role)) {
    return false;
  }
  if (role != RoleName(Role::kWorkload)) {
    return c.Fail(kPredicateMalformed, tp + "/role", "must be \"workload\"");
  }
  if (t["constraint"].is_string() &&
      t["constraint"].get_ref<const std::string&>().size() > kMaxReleaseConstraintSize) {
    return c.Fail(kPredicateMalformed, tp + "/constraint", "must be at most 4096 bytes");
  }
  EnclaveConstraint constraint;
  if (!c.Constraint(t["constraint"], tp + "/constraint", &out->constraint, &constraint) ||
      !c.Base64Array(t["enclaveKey"], tp + "/enclaveKey", &out->enclave_key) ||
      !ParseIdentity(c, t["identity"], tp + "/identity", &out->identity)) {
    return false;
  }
  // evidence
  const Json& ev = p["evidence"];
  std::string vp = base + "/evidence";
  std::string type;
  if (!c.Object(ev, vp, {"type", "quoteSha256", "nonce"}, {}) ||
      !c.String(ev["type"], vp + "/type", &type)) {
    return false;
  }
  if (type != kEvidenceTypeSgxDcapQuote) {
    return c.Fail(kPredicateMalformed, vp + "/type", "must be \"sgx-dcap-quote\"");
  }
  if (!c.Digest32(ev["quoteSha256"], vp + "/quoteSha256", &out->quote_sha256) ||
      !c.Base64Array(ev["nonce"], vp + "/nonce", &out->nonce)) {
    return false;
  }
  // authorization
  const Json& au = p["authorization"];
  std::string ap = base + "/authorization";
  if (!c.Object(au, ap, {"unadmittedOverride", "admittedBy", "checkpoint"}, {}) ||
      !c.Bool(au["unadmittedOverride"], ap + "/unadmittedOverride", &out->unadmitted_override)) {
    return false;
  }
  if (out->unadmitted_override) {
    if (!c.EntryRefs(au["admittedBy"], ap + "/admittedBy", 0, 0, &out->admitted_by)) return false;
  } else if (!c.EntryRefs(au["admittedBy"], ap + "/admittedBy", 1, kMaxAdmittedBy,
                          &out->admitted_by)) {
    return false;
  }
  const Json& cp = au["checkpoint"];
  std::string cpp = ap + "/checkpoint";
  int64_t size = 0;
  if (!c.Object(cp, cpp, {"size", "rootHash"}, {}) ||
      !c.Int(cp["size"], cpp + "/size", 0, internal::kMaxJsonInteger, &size) ||
      !c.Base64Array(cp["rootHash"], cpp + "/rootHash", &out->checkpoint_root_hash)) {
    return false;
  }
  out->checkpoint_size = static_cast<uint64_t>(size);
  // owners
  const Json& ow = p["owners"];
  std::string op = base + "/owners";
  if (!c.Array(ow, op, 1, kMaxReleaseOwners)) return false;
  for (size_t i = 0; i < ow.size(); ++i) {
    std::string keyid;
    if (!c.Hex(ow[i], Child(op, i), 64, &keyid)) return false;
    if (!out->owners.empty() && keyid <= out->owners.back()) {
      return c.Fail(kPredicateMalformed, Child(op, i), "owners' keyids are strictly ascending");
    }
    out->owners.push_back(std::move(keyid));
  }
  // activity and record: both or neither
  if (p.contains("activity") != p.contains("record")) {
    return c.Fail(kPredicateMalformed, base + (p.contains("activity") ? "/activity" : "/record"),
                  "\"activity\" and \"record\" are both present or both absent");
  }
  if (p.contains("activity")) {
    std::string id;
    int64_t version = 0;
    int64_t index = 0;
    EntryRef record;
    const Json& r = p["record"];
    if (!c.Object(p["activity"], base + "/activity", {"id", "version"}, {}) ||
        !c.Name(p["activity"]["id"], base + "/activity/id", &id) ||
        !c.Int(p["activity"]["version"], base + "/activity/version", 1, internal::kMaxJsonInteger,
               &version) ||
        !c.Object(r, base + "/record", {"index", "sha256"}, {}) ||
        !c.Int(r["index"], base + "/record/index", 0, internal::kMaxJsonInteger, &index) ||
        !c.Digest32(r["sha256"], base + "/record/sha256", &record.sha256)) {
      return false;
    }
    record.index = static_cast<uint64_t>(index);
    out->activity_id = std::move(id);
    out->activity_version = static_cast<uint64_t>(version);
    out->record = record;
  }
  return true;
}

// An envelope of a re-wrap: {"id", "sha256", "constraint"} plus `extra` required fields.
bool ParseRewrapEnvelope(Checker& c, const Json& v, const std::string& path,
                         std::initializer_list<std::string_view> fields, RewrapEnvelope* out) {
  EnclaveConstraint constraint;
  if (!c.Object(v, path, fields, {}) || !c.HexArray(v["id"], path + "/id", &out->id) ||
      !c.Digest32(v["sha256"], path + "/sha256", &out->sha256)) {
    return false;
  }
  if (v["constraint"].is_string() &&
      v["constraint"].get_ref<const std::string&>().size() > kMaxReleaseConstraintSize) {
    return c.Fail(kPredicateMalformed, path + "/constraint", "must be at most 4096 bytes");
  }
  return c.Constraint(v["constraint"], path + "/constraint", &out->constraint, &constraint);
}

bool ParseRewrap(Checker& c, const Json& p, Rewrap* out) {
  const std::string base = "/predicate";
  if (!c.Object(p, base, {"ledger", "issuedOn", "reason", "from", "to", "threshold", "custodians"},
                {}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on) ||
      !c.String(p["reason"], base + "/reason", &out->reason)) {
    return false;
  }
  if (std::find(std::begin(kRewrapReasons), std::end(kRewrapReasons), out->reason) ==
      std::end(kRewrapReasons)) {
    return c.Fail(kPredicateMalformed, base + "/reason",
                  "must be \"wrong_measurement\", \"broker_key_lost\" or \"other\"");
  }
  const Json& to = p["to"];
  if (!ParseRewrapEnvelope(c, p["from"], base + "/from", {"id", "sha256", "constraint"},
                           &out->from) ||
      !ParseRewrapEnvelope(c, to, base + "/to",
                           {"id", "sha256", "constraint", "brokerKeyid", "unadmittedOverride"},
                           &out->to) ||
      !c.Hex(to["brokerKeyid"], base + "/to/brokerKeyid", 64, &out->to_broker_keyid) ||
      !c.Bool(to["unadmittedOverride"], base + "/to/unadmittedOverride",
              &out->to_unadmitted_override)) {
    return false;
  }
  if (out->to.id == out->from.id) {
    return c.Fail(kPredicateMalformed, base + "/to/id",
                  "a re-wrap makes an envelope with a new id");
  }
  int64_t threshold = 0;
  if (!c.Int(p["threshold"], base + "/threshold", 2, kMaxRewrapCustodians, &threshold)) {
    return false;
  }
  out->threshold = static_cast<uint8_t>(threshold);
  const Json& cu = p["custodians"];
  const std::string cp = base + "/custodians";
  if (!c.Array(cu, cp, out->threshold, kMaxRewrapCustodians)) return false;
  for (size_t i = 0; i < cu.size(); ++i) {
    std::string keyid;
    if (!c.Hex(cu[i], Child(cp, i), 64, &keyid)) return false;
    if (!out->custodians.empty() && keyid <= out->custodians.back()) {
      return c.Fail(kPredicateMalformed, Child(cp, i), "custodians' keyids are strictly ascending");
    }
    out->custodians.push_back(std::move(keyid));
  }
  return true;
}

bool ParseBrokerKey(Checker& c, const Json& p, BrokerKey* out) {
  const std::string base = "/predicate";
  if (!c.Object(p, base,
                {"ledger", "issuedOn", "mode", "hpkeKey", "signingKey", "identity", "evidence"},
                {}) ||
      !ParseGovernanceCommon(c, p, &out->ledger, &out->issued_on) ||
      !ParseBrokerMode(c, p["mode"], base + "/mode", &out->mode) ||
      !c.X25519KeyObject(p["hpkeKey"], base + "/hpkeKey", &out->hpke_key) ||
      !c.KeyObject(p["signingKey"], base + "/signingKey", &out->signing_key) ||
      !ParseIdentity(c, p["identity"], base + "/identity", &out->identity)) {
    return false;
  }
  const Json& ev = p["evidence"];
  std::string vp = base + "/evidence";
  std::string quote_b64;
  std::string quote_sha256;
  if (!c.Object(ev, vp, {"quote", "quoteSha256"}, {}) ||
      !c.String(ev["quote"], vp + "/quote", &quote_b64)) {
    return false;
  }
  auto quote = Base64Decode(quote_b64);
  if (!quote.ok() || quote->empty() || quote->size() > kMaxQuoteSize) {
    return c.Fail(kPredicateMalformed, vp + "/quote", "must be strict base64 of 1 to 16384 bytes");
  }
  if (!c.Hex(ev["quoteSha256"], vp + "/quoteSha256", 64, &quote_sha256)) return false;
  if (quote_sha256 != HexEncode(Sha256(*quote))) {
    return c.Fail(kPredicateMalformed, vp + "/quoteSha256", "is not the SHA-256 of the quote");
  }
  out->quote = std::move(quote).value();
  return true;
}

// Compares the statement's subjects with the derivation, as a set of canonical descriptors.
bool CheckDerivedSubjects(Checker& c, const Json& given, const Json& derived) {
  std::vector<std::string> a;
  std::vector<std::string> b;
  for (const Json& s : given) a.push_back(*internal::CanonicalJson(s));
  for (const Json& s : derived) b.push_back(*internal::CanonicalJson(s));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (std::adjacent_find(a.begin(), a.end()) != a.end()) {
    return c.Fail(kSubjectMismatch, "/subject", "lists one subject twice");
  }
  b.erase(std::unique(b.begin(), b.end()), b.end());
  if (a != b) {
    Json want = Json::array();
    for (const std::string& s : b) want.push_back(Json::parse(s));
    return c.Fail(kSubjectMismatch, "/subject",
                  "must be the subjects derived from the predicate: " + want.dump());
  }
  return true;
}

struct KnownType {
  const char* uri;
  StatementKind kind;
};
constexpr KnownType kKnownTypes[] = {
    {kSlsaProvenanceType, StatementKind::kProvenance},
    {kRootSetType, StatementKind::kRootSet},
    {kAdmissionType, StatementKind::kAdmission},
    {kRevocationType, StatementKind::kRevocation},
    {kProcessingRecordType, StatementKind::kProcessingRecord},
    {kReleaseRecordType, StatementKind::kReleaseRecord},
    {kBrokerKeyType, StatementKind::kBrokerKey},
    {kRewrapType, StatementKind::kRewrap},
};

}  // namespace

std::string_view StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kProvenance:
      return "provenance";
    case StatementKind::kRootSet:
      return "root-set";
    case StatementKind::kAdmission:
      return "admission";
    case StatementKind::kRevocation:
      return "revocation";
    case StatementKind::kProcessingRecord:
      return "record";
    case StatementKind::kReleaseRecord:
      return "release";
    case StatementKind::kBrokerKey:
      return "broker-key";
    case StatementKind::kRewrap:
      return "rewrap";
  }
  return "?";
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kRoot:
      return "root";
    case Role::kBroker:
      return "broker";
    case Role::kWorkload:
      return "workload";
  }
  return "?";
}

std::optional<Role> RoleFromName(std::string_view name) {
  if (name == "root") return Role::kRoot;
  if (name == "broker") return Role::kBroker;
  if (name == "workload") return Role::kWorkload;
  return std::nullopt;
}

std::string_view BrokerModeName(BrokerMode mode) {
  switch (mode) {
    case BrokerMode::kBroker:
      return "broker";
    case BrokerMode::kHandoff:
      return "handoff";
  }
  return "?";
}

std::optional<BrokerMode> BrokerModeFromName(std::string_view name) {
  if (name == "broker") return BrokerMode::kBroker;
  if (name == "handoff") return BrokerMode::kHandoff;
  return std::nullopt;
}

std::string_view RevocationKindName(RevocationKind kind) {
  switch (kind) {
    case RevocationKind::kMeasurement:
      return "measurement";
    case RevocationKind::kSigner:
      return "signer";
    case RevocationKind::kAdmission:
      return "admission";
    case RevocationKind::kBuilderKey:
      return "builderKey";
    case RevocationKind::kRootKey:
      return "rootKey";
  }
  return "?";
}

std::optional<RevocationKind> RevocationKindFromName(std::string_view name) {
  for (RevocationKind k :
       {RevocationKind::kMeasurement, RevocationKind::kSigner, RevocationKind::kAdmission,
        RevocationKind::kBuilderKey, RevocationKind::kRootKey}) {
    if (RevocationKindName(k) == name) return k;
  }
  return std::nullopt;
}

StatementKind Statement::kind() const {
  static constexpr StatementKind kKinds[] = {
      StatementKind::kProvenance,       StatementKind::kRootSet,
      StatementKind::kAdmission,        StatementKind::kRevocation,
      StatementKind::kProcessingRecord, StatementKind::kReleaseRecord,
      StatementKind::kBrokerKey,        StatementKind::kRewrap};
  return kKinds[predicate.index()];
}

const std::string& Statement::predicate_type() const {
  static const std::string kTypes[] = {
      kSlsaProvenanceType,   kRootSetType,       kAdmissionType, kRevocationType,
      kProcessingRecordType, kReleaseRecordType, kBrokerKeyType, kRewrapType};
  return kTypes[predicate.index()];
}

UnixSeconds Statement::issued_on() const {
  return std::visit(
      [](const auto& p) -> UnixSeconds {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, Provenance>) {
          return p.finished_on;
        } else {
          return p.issued_on;
        }
      },
      predicate);
}

const std::string* Statement::ledger() const {
  return std::visit(
      [](const auto& p) -> const std::string* {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, Provenance>) {
          return nullptr;
        } else {
          return &p.ledger;
        }
      },
      predicate);
}

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto first_ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!first_ok(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return first_ok(c) || c == '.' || c == '_' || c == '-'; });
}

bool IsAcceptedDigest(std::string_view algorithm, std::string_view value) {
  if (!IsLowerHex(value)) return false;
  if (algorithm == "gitCommit") return value.size() == 40 || value.size() == 64;
  if (algorithm == "sha256" || algorithm == "dirHash" || algorithm == "sgxMrenclave" ||
      algorithm == "sgxMrsigner") {
    return value.size() == 64;
  }
  return false;
}

StatusOr<UnixSeconds> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return InvalidArgumentError("must be a UTC timestamp YYYY-MM-DDThh:mm:ssZ, got \"" +
                                std::string(s.substr(0, 40)) + "\"");
  };
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return bad();
  }
  auto num = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!num(0, 4, &y) || !num(5, 2, &mo) || !num(8, 2, &d) || !num(11, 2, &h) || !num(14, 2, &mi) ||
      !num(17, 2, &se)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) {
    return bad();
  }
  return DaysFromCivil({y, mo, d}) * 86400 + h * 3600 + mi * 60 + se;
}

StatusOr<int64_t> ParseDuration(std::string_view s) {
  auto bad = [&] {
    return InvalidArgumentError("must be a Duration P[nD][T[nH][nM][nS]], got \"" +
                                std::string(s.substr(0, 40)) + "\"");
  };
  if (s.size() < 3 || s[0] != 'P') return bad();
  size_t i = 1;
  bool in_time = false;
  int components = 0;
  int64_t total = 0;
  char last_unit = 0;
  static constexpr std::string_view kOrder = "DHMS";
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time || i + 1 >= s.size()) return bad();
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i >= s.size() || i - start > 12) return bad();
    if (s[start] == '0' && i - start > 1) return bad();  // leading zero
    int64_t n = 0;
    for (size_t k = start; k < i; ++k) n = n * 10 + (s[k] - '0');
    char unit = s[i++];
    if ((unit == 'D') == in_time) return bad();
    size_t pos = kOrder.find(unit);
    if (pos == std::string_view::npos || (last_unit && pos <= kOrder.find(last_unit))) {
      return bad();
    }
    last_unit = unit;
    static constexpr int64_t kSeconds[] = {86400, 3600, 60, 1};
    total += n * kSeconds[pos];
    ++components;
  }
  if (components == 0 || (in_time && last_unit == 'D')) return bad();
  return total;
}

std::optional<std::string> PersonalDataRule(std::string_view text) {
  // Tokens between (Unicode) white space, with trailing ".,;:)" removed.
  size_t i = 0;
  while (i <= text.size()) {
    size_t start = i;
    size_t end = i;
    while (end < text.size()) {
      size_t len = 1;
      uint32_t cp = DecodeScalar(text, end, &len);
      if (IsUnicodeSpace(cp)) break;
      end += len;
    }
    std::string_view token = text.substr(start, end - start);
    while (!token.empty() &&
           std::string_view(".,;:)").find(token.back()) != std::string_view::npos) {
      token.remove_suffix(1);
    }
    if (!token.empty()) {
      if (IsEmailToken(token)) return "e-mail address";
      if (IsIpToken(token)) return "IP address";
      if (IsIbanToken(token)) return "IBAN";
    }
    if (end >= text.size()) break;
    size_t len = 1;
    DecodeScalar(text, end, &len);
    i = end + len;
  }
  if (HasTelephoneRun(text)) return "telephone number";
  return std::nullopt;
}

std::array<uint8_t, 64> RootKeyReportData(ByteSpan spki_der) {
  const Sha256Digest d = Sha256WithPrefix(AsBytes(kRootKeyBindingTag), {spki_der});
  std::array<uint8_t, 64> rd{};
  std::copy(d.begin(), d.end(), rd.begin());
  return rd;
}

std::array<uint8_t, 64> BrokerKeyReportData(const X25519PublicKey& hpke_key,
                                            ByteSpan signing_spki_der) {
  const X25519Spki hpke_spki = X25519SpkiOf(hpke_key);
  const Sha256Digest d =
      Sha256WithPrefix(AsBytes(kBrokerKeyBindingTag), {ByteSpan(hpke_spki), signing_spki_der});
  std::array<uint8_t, 64> rd{};
  std::copy(d.begin(), d.end(), rd.begin());
  return rd;
}

StatusOr<Statement> ParseStatement(ByteSpan payload, ParseDiagnostics* diagnostics) {
  ParseDiagnostics local;
  ParseDiagnostics& diag = diagnostics ? *diagnostics : local;
  diag = {};
  // S1.
  auto doc = internal::ParseJson(AsStringView(payload));
  if (!doc.ok()) {
    return MalformedError(kPayloadMalformed,
                          "payload is not strict JSON: " + doc.status().message());
  }
  auto canonical = internal::CanonicalJson(*doc);
  if (!canonical.ok() || *canonical != AsStringView(payload)) {
    return MalformedError(kPayloadNotCanonical,
                          "payload is not in canonical (RFC 8785) form: sorted keys, no white "
                          "space, minimal escapes");
  }
  // S2.
  Checker c;
  auto fail = [&]() -> Status {
    diag.path = c.path();
    return c.status();
  };
  const Json& st = *doc;
  if (!st.is_object()) {
    c.Fail(kStatementTypeInvalid, "", "a statement is a JSON object");
    return fail();
  }
  if (!st.contains("_type") || st["_type"] != kStatementType) {
    c.Fail(kStatementTypeInvalid, "/_type",
           std::string("must be \"") + kStatementType + "\" (in-toto Statement v1)");
    return fail();
  }
  if (!st.contains("subject") || !st["subject"].is_array() || st["subject"].empty() ||
      st["subject"].size() > kMaxSubjects) {
    c.Fail(kSubjectInvalid, "/subject", "must be an array of 1 to 64 resource descriptors");
    return fail();
  }
  std::set<std::string> subject_names;
  for (size_t i = 0; i < st["subject"].size(); ++i) {
    const Json& s = st["subject"][i];
    std::string sp = Child("/subject", i);
    std::vector<std::pair<std::string, std::string>> digest;
    if (!c.Object(s, sp, {"digest"}, {"name", "annotations"}, kSubjectInvalid) ||
        !c.DigestSet(s["digest"], sp + "/digest", kSubjectInvalid, &digest)) {
      return fail();
    }
    if (s.contains("name")) {
      if (!s["name"].is_string() || s["name"].get_ref<const std::string&>().empty()) {
        c.Fail(kSubjectInvalid, sp + "/name", "must be a non-empty string");
        return fail();
      }
      if (!subject_names.insert(s["name"].get<std::string>()).second) {
        c.Fail(kSubjectInvalid, sp + "/name", "subject names are unique");
        return fail();
      }
    }
    if (s.contains("annotations") && !s["annotations"].is_object()) {
      c.Fail(kSubjectInvalid, sp + "/annotations", "must be an object");
      return fail();
    }
  }
  if (!st.contains("predicateType") || !st["predicateType"].is_string()) {
    c.Fail(kPredicateTypeUnknown, "/predicateType", "must be a string");
    return fail();
  }
  const std::string& type = st["predicateType"].get_ref<const std::string&>();
  auto known = std::find_if(std::begin(kKnownTypes), std::end(kKnownTypes),
                            [&](const KnownType& k) { return type == k.uri; });
  if (known == std::end(kKnownTypes)) {
    c.Fail(kPredicateTypeUnknown, "/predicateType",
           "\"" + type + "\" is not a Vouch predicate type");
    return fail();
  }
  diag.kind = known->kind;
  // S3.
  if (!c.Object(st, "", {"_type", "subject", "predicateType", "predicate"}, {})) return fail();
  const Json& p = st["predicate"];
  if (!p.is_object()) {
    c.Fail(kPredicateMalformed, "/predicate", "must be an object");
    return fail();
  }
  Statement out;
  bool ok = false;
  switch (known->kind) {
    case StatementKind::kProvenance: {
      Provenance prov;
      ok = ParseProvenance(c, p, &prov) && ParseProvenanceSubjects(c, st["subject"], &prov);
      out.predicate = std::move(prov);
      break;
    }
    case StatementKind::kRootSet: {
      RootSet rs;
      ok = ParseRootSet(c, p, &rs);
      out.predicate = std::move(rs);
      break;
    }
    case StatementKind::kAdmission: {
      Admission a;
      ok = ParseAdmission(c, p, &a);
      out.predicate = std::move(a);
      break;
    }
    case StatementKind::kRevocation: {
      Revocation r;
      ok = ParseRevocation(c, p, &r);
      out.predicate = std::move(r);
      break;
    }
    case StatementKind::kProcessingRecord: {
      ProcessingRecord r;
      ok = ParseRecord(c, p, &r);
      out.predicate = std::move(r);
      break;
    }
    case StatementKind::kReleaseRecord: {
      ReleaseRecord r;
      ok = ParseReleaseRecord(c, p, &r);
      out.predicate = std::move(r);
      break;
    }
    case StatementKind::kBrokerKey: {
      BrokerKey b;
      ok = ParseBrokerKey(c, p, &b);
      out.predicate = std::move(b);
      break;
    }
    case StatementKind::kRewrap: {
      Rewrap w;
      ok = ParseRewrap(c, p, &w);
      out.predicate = std::move(w);
      break;
    }
  }
  if (!ok) return fail();
  if (out.kind() != StatementKind::kProvenance &&
      !CheckDerivedSubjects(c, st["subject"], DerivedSubjects(out))) {
    return fail();
  }
  return out;
}

StatusOr<Bytes> EncodeStatement(const Statement& statement, ParsedStatements* parsed) {
  Json st = {{"_type", kStatementType},
             {"subject", DerivedSubjects(statement)},
             {"predicateType", statement.predicate_type()},
             {"predicate", PredicateJson(statement)}};
  auto text = internal::CanonicalJson(st);
  if (!text.ok()) return text.status();
  Bytes payload = ToBytes(*text);
  ParseDiagnostics diag;
  auto back = ParseStatement(payload, &diag);
  if (!back.ok()) return back.status();
  if (parsed != nullptr) {
    parsed->Put(Sha256(payload), std::make_shared<const Statement>(*std::move(back)));
  }
  return payload;
}

}  // namespace vouch::govern
