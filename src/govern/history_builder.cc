#include "govern/history_builder.h"

#include "vouch/base/encoding.h"
#include "vouch/dsse/envelope.h"

namespace vouch::govern::testing {

namespace {

// The keys.json test keys (RFC 8032 §7.1 seeds and two derived ones).
constexpr std::pair<const char*, const char*> kFixedSeeds[] = {
    {"builder-a", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"},
    {"builder-b", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"},
    {"root-1", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"},
    {"root-2", "52a854e094bcc833452c8eb0a002e3f3492a6480a9709576abfd70b3bcfc0080"},
    {"root-3", "0a132e0df5b5d9ec7fa3c79628856ee66c7c506719e07341f379e036116481b2"},
};
constexpr const char* kDerivedKeys[] = {"root-4", "root-5", "builder-a2", "builder-c", "other"};

}  // namespace

std::string ConstraintFor(const Sha256Hash& mrenclave) {
  return "C:" + HexEncodeUpper(mrenclave) + " SEC:STALE";
}

Sha256Hash Measurement(std::string_view label) { return Sha256(AsBytes(label)); }

StatusOr<std::unique_ptr<HistoryBuilder>> HistoryBuilder::Create(UnixSeconds now) {
  std::map<std::string, std::unique_ptr<LocalSigningKey>> keys;
  for (const auto& [name, seed] : kFixedSeeds) {
    VOUCH_ASSIGN_OR_RETURN(Bytes s, HexDecode(seed));
    VOUCH_ASSIGN_OR_RETURN(keys[name], LocalSigningKey::FromEd25519Seed(s));
  }
  for (const char* name : kDerivedKeys) {
    Sha256Digest seed = Sha256(AsBytes(std::string("vouch-history-") + name));
    VOUCH_ASSIGN_OR_RETURN(keys[name], LocalSigningKey::FromEd25519Seed(seed));
  }
  VOUCH_ASSIGN_OR_RETURN(auto pki, sgx::SimulatedPki::Create(sgx::DefaultSimulatedPkiOptions(now)));
  return std::unique_ptr<HistoryBuilder>(new HistoryBuilder(std::move(keys), std::move(pki)));
}

const LocalSigningKey& HistoryBuilder::key(const std::string& name) const {
  return *keys_.at(name);
}

Key HistoryBuilder::PublicKey(const std::string& name) const {
  return Key{*PublicKeyFromSpki(key(name).verifier().spki_der())};
}

Provenance HistoryBuilder::MakeProvenance(const std::string& builder_id, const Sha256Hash& m,
                                          const std::string& commit, const std::string& target,
                                          UnixSeconds finished_on) const {
  Provenance p;
  p.target = target;
  p.artifact_sha256 = Sha256(AsBytes("image of " + target + " at " + commit));
  p.mrenclave = m;
  p.isv_prod_id = 1;
  p.isv_svn = 1;
  p.repository = "https://git.example/vouch-apps.git";
  p.ref = "refs/tags/" + target + "-" + commit.substr(0, 8);
  p.bundle_format = kBundleFormatVouch;
  p.git_commit = commit;
  p.toolchain_sha256 = Sha256(AsBytes("toolchain of " + builder_id));
  p.toolchain.push_back({"gcc", "pkg:deb/debian/gcc-12@12.2.0-14?arch=amd64",
                         Sha256(AsBytes("gcc-12")), "12.2.0-14"});
  p.builder_id = builder_id;
  p.finished_on = finished_on;
  p.started_on = finished_on - 240;
  p.byproducts.push_back({"sbom:spdx",
                          std::nullopt,
                          std::string(kSpdxMediaType),
                          {{"sha256", HexEncode(Sha256(AsBytes("sbom " + builder_id)))}}});
  return p;
}

StatusOr<Bytes> HistoryBuilder::MakeQuote(const Sha256Hash& m,
                                          const std::array<uint8_t, 64>& report_data) const {
  sgx::ReportBody body;
  body.mr_enclave = m;
  body.mr_signer = Measurement("root signer");
  body.isv_prod_id = 1;
  body.isv_svn = 1;
  body.attributes[0] = 0x05;  // INIT | MODE64BIT
  body.attributes[8] = 0x03;  // XFRM x87 | SSE
  body.cpu_svn = pki_.options().platform.cpu_svn;
  body.report_data = report_data;
  return pki_.MakeQuote(body);
}

StatusOr<RootDescriptor> HistoryBuilder::MakeRootWithReportData(
    const std::string& name, const std::string& key_name, const Sha256Hash& m,
    const std::array<uint8_t, 64>& report_data, std::vector<EntryRef> reproduced_by) const {
  RootDescriptor r;
  r.name = name;
  r.key = PublicKey(key_name);
  r.constraint = ConstraintFor(m);
  VOUCH_ASSIGN_OR_RETURN(r.quote, MakeQuote(m, report_data));
  r.collateral_dir_hash = Sha256(AsBytes("collateral of " + name));
  r.reproduced_by = std::move(reproduced_by);
  return r;
}

StatusOr<RootDescriptor> HistoryBuilder::MakeRoot(const std::string& name,
                                                  const std::string& key_name, const Sha256Hash& m,
                                                  std::vector<EntryRef> reproduced_by) const {
  return MakeRootWithReportData(name, key_name, m,
                                RootKeyReportData(key(key_name).verifier().spki_der()),
                                std::move(reproduced_by));
}

BuilderDescriptor HistoryBuilder::MakeBuilder(const std::string& id,
                                              const std::vector<std::string>& key_names) const {
  BuilderDescriptor b;
  b.id = id;
  for (const std::string& k : key_names) b.keys.push_back(PublicKey(k));
  return b;
}

RootSet HistoryBuilder::MakeRootSet(uint64_t version, UnixSeconds issued_on, UnixSeconds expires,
                                    uint32_t threshold, std::vector<RootDescriptor> roots,
                                    std::vector<BuilderDescriptor> builders, uint32_t k) const {
  RootSet rs;
  rs.ledger = kTestOrigin;
  rs.issued_on = issued_on;
  rs.version = version;
  rs.expires = expires;
  rs.threshold = threshold;
  rs.roots = std::move(roots);
  rs.builders = std::move(builders);
  rs.reproduction_threshold = k;
  return rs;
}

Admission HistoryBuilder::MakeAdmission(Role role, const std::string& constraint,
                                        UnixSeconds issued_on, UnixSeconds expires,
                                        std::vector<EntryRef> reproduced_by) const {
  Admission a;
  a.ledger = kTestOrigin;
  a.issued_on = issued_on;
  a.role = role;
  a.constraint = constraint;
  a.expires = expires;
  a.reproduced_by = std::move(reproduced_by);
  return a;
}

StatusOr<Bytes> HistoryBuilder::SignPayload(ByteSpan payload,
                                            const std::vector<std::string>& signers) const {
  std::vector<dsse::Signature> sigs;
  for (const std::string& s : signers) {
    VOUCH_ASSIGN_OR_RETURN(auto sig, dsse::SignPayload(key(s), dsse::kInTotoPayloadType, payload));
    sigs.push_back(std::move(sig));
  }
  VOUCH_ASSIGN_OR_RETURN(auto entry, dsse::LedgerEntry::Create(payload, std::move(sigs)));
  return ToBytes(entry.bytes());
}

StatusOr<Bytes> HistoryBuilder::Sign(const Statement& statement,
                                     const std::vector<std::string>& signers) const {
  VOUCH_ASSIGN_OR_RETURN(Bytes payload, EncodeStatement(statement));
  return SignPayload(payload, signers);
}

EntryRef HistoryBuilder::Append(Bytes entry) {
  EntryRef ref{entries_.size(), Sha256(entry)};
  entries_.push_back(std::move(entry));
  return ref;
}

}  // namespace vouch::govern::testing
