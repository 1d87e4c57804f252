#include "vouch/dsse/envelope.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "dsse/jcs.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/x509.h"

namespace vouch::dsse {
namespace {

using Json = nlohmann::json;

Json ReadJson(const std::string& path) {
  return Json::parse(testing::ReadTestDataString("governance/" + path));
}

// The named Ed25519 test keys of keys.json.
std::map<std::string, std::unique_ptr<LocalSigningKey>> TestKeys() {
  std::map<std::string, std::unique_ptr<LocalSigningKey>> keys;
  Json all = ReadJson("derived/keys.json");
  for (const auto& [name, k] : all["ed25519"].items()) {
    keys[name] =
        std::move(LocalSigningKey::FromEd25519Seed(Hex(k["seed"].get<std::string>())).value());
  }
  return keys;
}

std::shared_ptr<const PublicKeyVerify> CertificateKey(const std::string& der_b64) {
  auto cert = Certificate::FromDer(*Base64Decode(der_b64));
  EXPECT_THAT(cert, IsOk());
  auto key = PublicKeyFromSpki(cert->EcPublicKey()->SpkiDer());
  EXPECT_THAT(key, IsOk());
  return *key;
}

TEST(PaeTest, Vectors) {
  Json vectors = ReadJson("derived/pae.json")["vectors"];
  for (const Json& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    Bytes pae = Pae(v["payloadType"].get<std::string>(), Hex(v["payload_hex"].get<std::string>()));
    EXPECT_EQ(HexEncode(pae), v["pae_hex"].get<std::string>());
    if (v.contains("pae_text")) {
      EXPECT_EQ(AsStringView(pae), v["pae_text"].get<std::string>());
    }
  }
}

TEST(EnvelopeTest, DsseHelloWorldDerAcceptedRawRejected) {
  Json v = ReadJson("dsse-spec/hello-world.json");
  KeySet keys;
  keys.Add(*PublicKeyFromSpki(Hex(v["key"]["spki_der_hex"].get<std::string>())));
  Json published = v["envelope_as_published"];
  // As published: raw r||s, no keyid. DSSE skips what does not verify, so nothing counts.
  auto raw = Envelope::Parse(published.dump());
  ASSERT_THAT(raw, IsOk());
  EXPECT_EQ(AsStringView(raw->payload()), "hello world");
  auto raw_signers = raw->Verify(keys);
  ASSERT_THAT(raw_signers, IsOk());
  EXPECT_THAT(CheckThreshold(*raw_signers, 1, "given keys"), ReasonIs(kThresholdNotMet));
  // The DER form verifies, with or without the Vouch keyid, and in URL-safe unpadded base64.
  Json der = published;
  der["signatures"][0]["sig"] = v["sig_der_b64"];
  auto der_env = Envelope::Parse(der.dump());
  ASSERT_THAT(der_env, IsOk());
  EXPECT_EQ(der_env->Verify(keys)->size(), 1u);
  der["signatures"][0]["keyid"] = v["key"]["vouch_keyid"];
  EXPECT_EQ(Envelope::Parse(der.dump())->Verify(keys)->size(), 1u);
  std::string url = v["sig_der_b64"].get<std::string>();
  for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (url.back() == '=') url.pop_back();
  der["signatures"][0]["sig"] = url;
  der["payload"] = "aGVsbG8gd29ybGQ";
  EXPECT_EQ(Envelope::Parse(der.dump())->Verify(keys)->size(), 1u);
  // The reference implementation's keyid "66301bbf" is foreign: the signature is tried anyway.
  der["signatures"][0]["keyid"] = v["reference_implementation_keyid"];
  EXPECT_EQ(Envelope::Parse(der.dump())->Verify(keys)->size(), 1u);
  // A signature that names a given key and does not verify is an error, not a skip.
  der["signatures"][0]["keyid"] = v["key"]["vouch_keyid"];
  der["payload"] = "aGVsbG8gd29ybGQh";
  EXPECT_THAT(Envelope::Parse(der.dump())->Verify(keys), ReasonIs(kStatementSignatureInvalid));
  // As a ledger entry the published envelope fails E3 (no keyid) before E4.
  EXPECT_THAT(LedgerEntry::Parse(AsBytes(published.dump())), ReasonIs(kEnvelopeMalformed));
}

TEST(EnvelopeTest, GenericParserIsStrictJsonButIgnoresUnknownFields) {
  EXPECT_THAT(Envelope::Parse(R"({"payload":"","payloadType":"t","signatures":[],"x":1})"), IsOk());
  EXPECT_THAT(Envelope::Parse(R"({"payload":"","payload":"","payloadType":"t","signatures":[]})"),
              ReasonIs(kEntryMalformed));
  EXPECT_THAT(Envelope::Parse(R"({"payload":"","payloadType":"t","signatures":[]} x)"),
              ReasonIs(kEntryMalformed));
  EXPECT_THAT(Envelope::Parse(R"({"payload":"a-b+","payloadType":"t","signatures":[]})"),
              ReasonIs(kBase64Invalid));
  EXPECT_THAT(Envelope::Parse(R"({"payload":"","payloadType":"t","signatures":[{"keyid":"k"}]})"),
              ReasonIs(kEnvelopeMalformed));
  EXPECT_THAT(Envelope::Parse(R"({"payloadType":"t","signatures":[]})"),
              ReasonIs(kEnvelopeMalformed));
  EXPECT_THAT(Envelope::Parse(R"({"mediaType":"application/vnd.dev.sigstore.bundle+json"})"),
              ReasonIs(kEnvelopeMalformed));
}

TEST(EnvelopeTest, SigstoreBundlesVerifyWithTheirKeys) {
  // npm provenance (in-toto Statement v1, SLSA v1), key in the Fulcio leaf: 1 of 1.
  Json js = ReadJson("sigstore-go/sigstore.js@2.0.0-provenance.sigstore.json");
  auto env = Envelope::Parse(js.dump());
  ASSERT_THAT(env, IsOk());
  EXPECT_TRUE(env->from_sigstore_bundle());
  EXPECT_EQ(env->payload_type(), kInTotoPayloadType);
  KeySet leaf;
  leaf.Add(CertificateKey(
      js["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"]));
  EXPECT_EQ(env->Verify(leaf)->size(), 1u);
  // Statement v0.1 in DSSE: the envelope verifies (the statement type is govern's business).
  Json prov = ReadJson("sigstore-go/bundle-provenance.json");
  KeySet prov_leaf;
  prov_leaf.Add(CertificateKey(
      prov["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"]));
  EXPECT_EQ(Envelope::Parse(prov.dump())->Verify(prov_leaf)->size(), 1u);
  // npm publish attestation, plain P-256 key with a foreign keyid "SHA256:jl3b…".
  KeySet publish;
  publish.Add(
      *PublicKeyFromPem(testing::ReadTestDataString("governance/sigstore-go/publish_key.pub")));
  auto pub_env =
      Envelope::Parse(testing::ReadTestDataString("governance/sigstore-go/bundle-publish.json"));
  ASSERT_THAT(pub_env, IsOk());
  EXPECT_EQ(pub_env->signatures()[0].keyid.substr(0, 7), "SHA256:");
  EXPECT_EQ(pub_env->Verify(publish)->size(), 1u);
  // Not with another key.
  EXPECT_EQ(pub_env->Verify(leaf)->size(), 0u);
}

TEST(EnvelopeTest, TwoSignaturesOneCorruptedWithEmptyKeyids) {
  Json b = ReadJson("sigstore-go/dsse-2sigs.sigstore.json");
  auto env = Envelope::Parse(b.dump());
  ASSERT_THAT(env, IsOk());
  ASSERT_EQ(env->signatures().size(), 2u);
  KeySet keys;
  auto key = CertificateKey(
      b["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"]);
  keys.Add(key);
  // Generic: the corrupted signature names no key and is skipped: 1 of 1.
  auto signers = env->Verify(keys);
  ASSERT_THAT(signers, IsOk());
  EXPECT_THAT(CheckThreshold(*signers, 1, "given keys"), IsOk());
  // Ledger counting, where the corrupted signature names the key: rejected.
  std::vector<Signature> named = env->signatures();
  for (Signature& s : named) s.keyid = key->KeyId();
  EXPECT_THAT(VerifiedSigners(Pae(env->payload_type(), env->payload()), named, keys),
              ReasonIs(kStatementSignatureInvalid));
}

TEST(EnvelopeTest, OneKeyTwoValidEcdsaSignaturesCountsOnce) {
  Json v = ReadJson("derived/one-key-two-ecdsa-signatures.json");
  KeySet keys;
  keys.Add(*PublicKeyFromPem(v["public_key_spki_pem"].get<std::string>()));
  auto env = Envelope::Parse(v["envelope"].dump());
  ASSERT_THAT(env, IsOk());
  ASSERT_EQ(env->signatures().size(), 2u);
  ASSERT_NE(env->signatures()[0].sig, env->signatures()[1].sig);
  auto signers = env->Verify(keys);
  ASSERT_THAT(signers, IsOk());
  EXPECT_EQ(signers->size(), 1u);
  EXPECT_THAT(CheckThreshold(*signers, 2, "given keys"), ReasonIs(kThresholdNotMet));
  // Both signatures verify on their own, so the ledger counting rule sees one key too.
  auto ledger = VerifiedSigners(Pae(env->payload_type(), env->payload()), env->signatures(), keys);
  ASSERT_THAT(ledger, IsOk());
  EXPECT_EQ(ledger->size(), 1u);
  // As a ledger entry: one keyid twice.
  auto canonical = internal::CanonicalJson(v["envelope"]);
  ASSERT_THAT(canonical, IsOk());
  EXPECT_THAT(LedgerEntry::Parse(AsBytes(*canonical)), ReasonIs(kDuplicateSigner));
}

TEST(EnvelopeTest, OneKeyUnderTwoLookupKeyidsCountsOnce) {
  auto keys = TestKeys();
  Bytes msg = ToBytes("message");
  Bytes sig = *keys["root-1"]->Sign(msg);
  auto pub = *PublicKeyFromSpki(keys["root-1"]->verifier().spki_der());
  // A lookup that maps two foreign keyids (TUF-style) to the same key.
  std::vector<Signature> sigs = {{"old-keyid", sig}, {"new-keyid", sig}};
  auto signers = VerifiedSigners(msg, sigs, [&](const Signature&) { return pub.get(); });
  ASSERT_THAT(signers, IsOk());
  EXPECT_EQ(signers->size(), 1u);
  // KeySet refuses a second copy of one SPKI.
  KeySet set;
  EXPECT_TRUE(set.Add(pub));
  EXPECT_FALSE(set.Add(*PublicKeyFromSpki(keys["root-1"]->verifier().spki_der())));
  EXPECT_EQ(set.size(), 1u);
}

// Checks E1–S1 and §1.4 as envelope-cases.json states them; S1 here is the payload's
// strict-JSON and canonical-form check.
std::string CheckCase(ByteSpan bytes, const KeySet& trusted, size_t threshold) {
  auto entry = LedgerEntry::Parse(bytes);
  if (!entry.ok()) return entry.status().reason();
  auto st = internal::ParseJson(AsStringView(entry->payload()));
  if (!st.ok()) return "payload_malformed";
  if (*internal::CanonicalJson(*st) != AsStringView(entry->payload()))
    return "payload_not_canonical";
  auto signers = VerifiedSigners(entry->SignedBytes(), entry->signatures(), trusted);
  if (!signers.ok()) return signers.status().reason();
  Status t = CheckThreshold(*signers, threshold, "test");
  return t.ok() ? "accept" : t.reason();
}

TEST(LedgerEntryTest, EnvelopeCases) {
  auto keys = TestKeys();
  Json cases = ReadJson("derived/envelope-cases.json")["cases"];
  EXPECT_EQ(cases.size(), 16u);
  for (const Json& c : cases) {
    std::string id = c["id"];
    SCOPED_TRACE(id);
    KeySet trusted;
    for (const Json& n : c["trusted_keys"]) {
      trusted.Add(*PublicKeyFromSpki(keys[n.get<std::string>()]->verifier().spki_der()));
    }
    std::string entry = c["entry"];
    if (id == "too-large") {
      // The file holds only the start of this entry; make one of the same kind: a signed
      // statement padded beyond 65,535 bytes.
      Bytes payload = ToBytes(R"({"_type":"https://in-toto.io/Statement/v1","padding":")" +
                              std::string(60000, 'x') + "\"}");
      std::string b64 = Base64Encode(payload);
      entry = R"({"payload":")" + b64 + R"(","payloadType":"application/vnd.in-toto+json",)" +
              R"("signatures":[{"keyid":")" + keys["root-1"]->verifier().KeyId() + R"(","sig":")" +
              Base64Encode(*keys["root-1"]->Sign(Pae(kInTotoPayloadType, payload))) + "\"}]}";
      ASSERT_GT(entry.size(), kMaxEntrySize);
    }
    std::string want = c["expect"] == "accept" ? "accept" : c["code"].get<std::string>();
    EXPECT_EQ(CheckCase(AsBytes(entry), trusted, c["threshold"].get<size_t>()), want);
  }
}

// Re-signing the worked examples with the test keys (Ed25519 is deterministic) reproduces the
// published entries byte for byte, in any signing order, and their hashes.
TEST(LedgerEntryTest, ExamplesReproduceByteForByte) {
  auto keys = TestKeys();
  std::map<std::string, const LocalSigningKey*> by_keyid;
  for (const auto& [name, key] : keys) by_keyid[key->verifier().KeyId()] = key.get();
  Json index = ReadJson("derived/examples/index.json")["entries"];
  for (const auto& [name, info] : index.items()) {
    SCOPED_TRACE(name);
    std::string bytes =
        testing::ReadTestDataString("governance/derived/examples/" + name + ".entry");
    auto parsed = LedgerEntry::Parse(AsBytes(bytes));
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(HexEncode(parsed->entry_hash()), info["entry_hash"].get<std::string>());
    EXPECT_EQ(HexEncode(parsed->statement_digest()), info["statement_digest"].get<std::string>());
    EXPECT_EQ(bytes.size(), info["entry_bytes_len"].get<size_t>());
    // Sign in reverse keyid order, one signature at a time.
    std::vector<std::string> signers = info["signers"];
    std::reverse(signers.begin(), signers.end());
    auto first = SignPayload(*by_keyid[signers[0]], kInTotoPayloadType, parsed->payload());
    ASSERT_THAT(first, IsOk());
    auto rebuilt = LedgerEntry::Create(parsed->payload(), {*first});
    ASSERT_THAT(rebuilt, IsOk());
    for (size_t i = 1; i < signers.size(); ++i) {
      auto sig = SignPayload(*by_keyid[signers[i]], kInTotoPayloadType, parsed->payload());
      rebuilt = rebuilt->WithSignature(*sig);
      ASSERT_THAT(rebuilt, IsOk());
    }
    EXPECT_EQ(AsStringView(rebuilt->bytes()), bytes);
    // Countersigning twice with one key is refused.
    auto again = SignPayload(*by_keyid[signers[0]], kInTotoPayloadType, parsed->payload());
    EXPECT_THAT(rebuilt->WithSignature(*again), ReasonIs(kDuplicateSigner));
    // Every signature verifies; the signer count is the number of distinct keys.
    KeySet all;
    for (const auto& [n, k] : keys) all.Add(*PublicKeyFromSpki(k->verifier().spki_der()));
    auto signed_by = VerifiedSigners(parsed->SignedBytes(), parsed->signatures(), all);
    ASSERT_THAT(signed_by, IsOk());
    EXPECT_EQ(signed_by->size(), signers.size());
  }
}

TEST(LedgerEntryTest, ChecksRunInOrder) {
  auto keys = TestKeys();
  Bytes payload = ToBytes(R"({"_type":"https://in-toto.io/Statement/v1"})");
  auto sig = *SignPayload(*keys["root-1"], kInTotoPayloadType, payload);
  auto entry = *LedgerEntry::Create(payload, {sig});
  std::string good(AsStringView(entry.bytes()));
  EXPECT_THAT(LedgerEntry::Parse(entry.bytes()), IsOk());
  auto parse = [](const std::string& s) { return LedgerEntry::Parse(AsBytes(s)); };
  EXPECT_THAT(parse("[" + good + "]"), ReasonIs(kEntryMalformed));
  EXPECT_THAT(parse(good + "\n"), ReasonIs(kEntryNotCanonical));
  EXPECT_THAT(parse("{\"payload\":1,\"payloadType\":\"x\",\"signatures\":[]}"),
              ReasonIs(kEnvelopeMalformed));
  std::string no_sigs = good.substr(0, good.find("[{")) + "[]}";
  EXPECT_THAT(parse(no_sigs), ReasonIs(kEnvelopeMalformed));
  std::string extra_sig_field = good;
  extra_sig_field.insert(extra_sig_field.find("{\"keyid\"") + 1, "\"a\":\"b\",");
  EXPECT_THAT(parse(extra_sig_field), ReasonIs(kEnvelopeMalformed));
  // E4: only the in-toto payload type (not even in-toto's per-predicate types).
  std::string typed = good;
  typed.replace(typed.find(kInTotoPayloadType), strlen(kInTotoPayloadType), "application/json");
  EXPECT_THAT(parse(typed), ReasonIs(kPayloadTypeUnsupported));
  std::string in_toto_pred = good;
  in_toto_pred.replace(in_toto_pred.find(kInTotoPayloadType), strlen(kInTotoPayloadType),
                       "application/vnd.in-toto.provenance+json");
  EXPECT_THAT(parse(in_toto_pred), ReasonIs(kPayloadTypeUnsupported));
  std::string ws_b64 = good;
  ws_b64.insert(ws_b64.find("\"payload\":\"") + 12, " ");
  EXPECT_THAT(parse(ws_b64), ReasonIs(kBase64Invalid));
  // 17 signatures.
  std::vector<Signature> many;
  for (int i = 0; i < 17; ++i)
    many.push_back({std::string(62, '0') + (i < 10 ? "0" : "1") + std::to_string(i % 10), sig.sig});
  EXPECT_THAT(LedgerEntry::Create(payload, many), ReasonIs(kEnvelopeMalformed));
  many.pop_back();
  auto sixteen = LedgerEntry::Create(payload, many);
  ASSERT_THAT(sixteen, IsOk());
  EXPECT_THAT(LedgerEntry::Parse(sixteen->bytes()), IsOk());
  EXPECT_THAT(LedgerEntry::Create(payload, {{"ABC", sig.sig}}), ReasonIs(kSignatureKeyidInvalid));
  EXPECT_THAT(LedgerEntry::Create(payload, {sig, sig}), ReasonIs(kDuplicateSigner));
  EXPECT_THAT(LedgerEntry::Create(Bytes(50000, 'x'), {sig}), ReasonIs(kEntryTooLarge));
}

}  // namespace
}  // namespace vouch::dsse
