// Sigstore's production TUF root chain (versions 1..15) through a small adapter onto the root
// rotation rule of governance.md §3.3: version N+1 signed by a threshold of N and a threshold of
// N+1, keys counted by SPKI (not keyid), checked by CheckRootSetVersion, VerifiedSigners and
// CheckRootSetSignatures. Vouch does not read TUF metadata in production; the adapter lives here.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "dsse/jcs.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/replay.h"

namespace vouch::govern {
namespace {

using Json = nlohmann::json;

// OLPC canonical JSON (what TUF signs): sorted keys, no white space, strings escaped only for
// '"' and '\', integers.
void Olpc(const Json& v, std::string* out) {
  switch (v.type()) {
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, item] : v.items()) {
        if (!first) out->push_back(',');
        first = false;
        Olpc(Json(k), out);
        out->push_back(':');
        Olpc(item, out);
      }
      out->push_back('}');
      break;
    }
    case Json::value_t::array: {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        Olpc(v[i], out);
      }
      out->push_back(']');
      break;
    }
    case Json::value_t::string:
      out->push_back('"');
      for (char c : v.get_ref<const std::string&>()) {
        if (c == '"' || c == '\\') out->push_back('\\');
        out->push_back(c);
      }
      out->push_back('"');
      break;
    case Json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::null:
      out->append("null");
      break;
    default:
      out->append(v.dump());
  }
}

struct TufRoot {
  uint64_t version = 0;
  uint32_t threshold = 0;
  std::map<std::string, std::shared_ptr<const PublicKeyVerify>> keys;  // root role keys by keyid
  dsse::KeySet key_set;
  std::string signed_bytes;
  std::vector<dsse::Signature> signatures;
};

TufRoot LoadRoot(int version) {
  Json doc = Json::parse(vouch::testing::ReadTestDataString(
      "governance/sigstore-root-signing/" + std::to_string(version) + ".root.json"));
  TufRoot r;
  const Json& s = doc["signed"];
  r.version = s["version"].get<uint64_t>();
  r.threshold = s["roles"]["root"]["threshold"].get<uint32_t>();
  for (const Json& id : s["roles"]["root"]["keyids"]) {
    std::string pub = s["keys"][id.get<std::string>()]["keyval"]["public"];
    std::shared_ptr<const PublicKeyVerify> key;
    if (pub.rfind("-----BEGIN", 0) == 0) {
      key = *PublicKeyFromPem(pub);
    } else {  // hex uncompressed point
      Bytes spki = *HexDecode("3059301306072a8648ce3d020106082a8648ce3d030107034200");
      Bytes point = *HexDecode(pub);
      Append(spki, point);
      key = *PublicKeyFromSpki(spki);
    }
    r.keys[id.get<std::string>()] = key;
    r.key_set.Add(key);
  }
  Olpc(s, &r.signed_bytes);
  for (const Json& sig : doc["signatures"]) {
    r.signatures.push_back(
        {sig["keyid"].get<std::string>(), *HexDecode(sig["sig"].get<std::string>())});
  }
  return r;
}

// Vouch's decision for `candidate` with `trusted` in force (null: the pinned first version);
// `old_count`/`new_count` receive the distinct-key counts.
Status Judge(const TufRoot* trusted, const TufRoot& candidate, size_t* old_count = nullptr,
             size_t* new_count = nullptr) {
  VOUCH_RETURN_IF_ERROR(CheckRootSetVersion(
      trusted ? std::optional<uint64_t>(trusted->version) : std::nullopt, candidate.version));
  // One keyid signing twice is an error, as in ledger entries (E7).
  std::set<std::string> seen;
  for (const dsse::Signature& s : candidate.signatures) {
    if (!seen.insert(s.keyid).second) {
      return MalformedError(dsse::kDuplicateSigner, "keyid " + s.keyid + " signs twice");
    }
  }
  auto lookup = [&](const dsse::Signature& s) -> const PublicKeyVerify* {
    if (auto it = candidate.keys.find(s.keyid); it != candidate.keys.end()) return it->second.get();
    if (trusted) {
      if (auto it = trusted->keys.find(s.keyid); it != trusted->keys.end()) return it->second.get();
    }
    return nullptr;
  };
  // TUF metadata keeps an empty "sig" as a placeholder for a key that has not signed (versions
  // 12 and 13 have some): not a signature at all, so not a failing one.
  std::vector<dsse::Signature> present;
  for (const dsse::Signature& s : candidate.signatures) {
    if (!s.sig.empty()) present.push_back(s);
  }
  VOUCH_ASSIGN_OR_RETURN(dsse::SignerSet signers,
                         dsse::VerifiedSigners(AsBytes(candidate.signed_bytes), present, lookup));
  auto count = [&](const dsse::KeySet& keys) {
    size_t n = 0;
    for (const auto& s : signers) n += keys.Contains(s);
    return n;
  };
  if (old_count && trusted) *old_count = count(trusted->key_set);
  if (new_count) *new_count = count(candidate.key_set);
  return CheckRootSetSignatures(signers, trusted ? &trusted->key_set : nullptr,
                                trusted ? trusted->threshold : 0, candidate.key_set,
                                candidate.threshold);
}

TEST(TufAdapterTest, SigstoreRootChainIsValidCountingKeysNotKeyids) {
  Json expected =
      Json::parse(vouch::testing::ReadTestDataString("governance/derived/tuf-root-chain.json"));
  std::vector<TufRoot> roots;
  for (int v = 1; v <= 15; ++v) roots.push_back(LoadRoot(v));
  size_t self = 0;
  ASSERT_THAT(Judge(nullptr, roots[0], nullptr, &self), IsOk());
  EXPECT_EQ(self, expected["chain"][0]["self_signed_distinct_keys"].get<size_t>());
  for (int v = 2; v <= 15; ++v) {
    SCOPED_TRACE(v);
    const Json& want = expected["chain"][v - 1];
    size_t old_count = 0;
    size_t new_count = 0;
    EXPECT_THAT(Judge(&roots[v - 2], roots[v - 1], &old_count, &new_count), IsOk());
    EXPECT_EQ(old_count, want["old_set_distinct_keys"].get<size_t>());
    EXPECT_EQ(new_count, want["new_set_distinct_keys"].get<size_t>());
    EXPECT_EQ(roots[v - 1].signatures.size(), want["signatures"].get<size_t>());
  }
  // Version 5 carries 8 signatures from 4 keys (each under an old and a new keyid).
  EXPECT_EQ(roots[4].signatures.size(), 8u);
}

TEST(TufAdapterTest, NegativeCases) {
  std::vector<TufRoot> roots;
  for (int v = 1; v <= 15; ++v) roots.push_back(LoadRoot(v));
  EXPECT_THAT(Judge(&roots[0], roots[2]), ReasonIs(kRootSetVersionGap));
  EXPECT_THAT(Judge(&roots[3], roots[3]), ReasonIs(kRootSetVersionReplayed));
  Json expected =
      Json::parse(vouch::testing::ReadTestDataString("governance/derived/tuf-root-chain.json"));
  for (const Json& neg : expected["negative"]) {
    if (!neg.contains("candidate_from")) continue;
    SCOPED_TRACE(neg["id"].get<std::string>());
    TufRoot candidate = roots[neg["candidate_from"].get<int>() - 1];
    std::vector<dsse::Signature> kept;
    std::vector<std::string> ids = neg["candidate_signatures_kept"];
    for (const std::string& id : ids) {
      for (const dsse::Signature& s : candidate.signatures) {
        if (s.keyid == id) {
          kept.push_back(s);
          break;
        }
      }
    }
    candidate.signatures = kept;
    std::string want = neg["expect"].get<std::string>();
    want = want.substr(8, want.find_first_of(" (;", 8) - 8);  // after "reject: "
    EXPECT_THAT(Judge(&roots[neg["trusted"].get<int>() - 1], candidate), ReasonIs(want));
  }
  // A signature of a trusted key over other bytes rejects the candidate.
  TufRoot tampered = roots[5];
  tampered.signed_bytes += " ";
  EXPECT_THAT(Judge(&roots[4], tampered), ReasonIs(dsse::kStatementSignatureInvalid));
}

}  // namespace
}  // namespace vouch::govern
