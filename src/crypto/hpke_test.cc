#include "vouch/crypto/hpke.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "crypto/hpke_internal.h"
#include "testing/scripted_random.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch::hpke {
namespace {

using ::vouch::testing::ScriptedRandom;

Bytes HexJ(const nlohmann::json& j) { return Hex(j.get<std::string>()); }

struct Counts {
  int vectors = 0;
  int encryptions = 0;
  int exports = 0;
  int with_context = 0;  // vectors that also give key_schedule_context and secret
};

// Checks one base-mode vector of the RFC 9180 test-vector format: both key pairs from their
// ikm, enc (with ikmE injected), the shared secret both ways, every key-schedule value, every
// encryption in order (sequence numbers 0, 1, …) with its nonce, opened again by the
// recipient, and every export from both sides.
void CheckVector(const nlohmann::json& v, Counts& counts) {
  ASSERT_EQ(v["mode"], 0);
  auto aead = SuiteAead(v["kem_id"].get<uint16_t>(), v["kdf_id"].get<uint16_t>(),
                        v["aead_id"].get<uint16_t>());
  ASSERT_THAT(aead, IsOk());
  const Bytes info = HexJ(v["info"]);

  auto skR = DeriveKeyPair(HexJ(v["ikmR"]));
  auto skE = DeriveKeyPair(HexJ(v["ikmE"]));
  ASSERT_THAT(skR, IsOk());
  ASSERT_THAT(skE, IsOk());
  EXPECT_EQ(HexEncode(skR->private_bytes().Reveal()), v["skRm"]);
  EXPECT_EQ(HexEncode(skR->public_key()), v["pkRm"]);
  EXPECT_EQ(HexEncode(skE->private_bytes().Reveal()), v["skEm"]);
  EXPECT_EQ(HexEncode(skE->public_key()), v["pkEm"]);

  ScriptedRandom encap_rng(HexJ(v["ikmE"]));
  auto encapsulation = Encap(skR->public_key(), encap_rng);
  ASSERT_THAT(encapsulation, IsOk());
  EXPECT_EQ(encap_rng.remaining(), 0u);
  EXPECT_EQ(HexEncode(encapsulation->enc), v["enc"]);
  EXPECT_EQ(HexEncode(encapsulation->shared_secret.Reveal()), v["shared_secret"]);
  auto decapsulated = Decap(encapsulation->enc, *skR);
  ASSERT_THAT(decapsulated, IsOk());
  EXPECT_EQ(HexEncode(decapsulated->Reveal()), v["shared_secret"]);

  auto ks = internal::KeyScheduleBase(*aead, encapsulation->shared_secret, info);
  ASSERT_THAT(ks, IsOk());
  if (v.contains("key_schedule_context")) {  // the derived vectors leave these two out
    EXPECT_EQ(HexEncode(ks->context), v["key_schedule_context"]);
    EXPECT_EQ(HexEncode(ks->secret.Reveal()), v["secret"]);
    ++counts.with_context;
  }
  EXPECT_EQ(HexEncode(ks->key.Reveal()), v["key"]);
  EXPECT_EQ(HexEncode(ks->base_nonce.Reveal()), v["base_nonce"]);
  EXPECT_EQ(HexEncode(ks->exporter_secret.Reveal()), v["exporter_secret"]);

  ScriptedRandom setup_rng(HexJ(v["ikmE"]));
  auto sender = SenderContext::SetupBase(skR->public_key(), info, *aead, setup_rng);
  ASSERT_THAT(sender, IsOk());
  EXPECT_EQ(HexEncode(sender->enc()), v["enc"]);
  auto recipient = RecipientContext::SetupBase(HexJ(v["enc"]), *skR, info, *aead);
  ASSERT_THAT(recipient, IsOk());

  uint64_t seq = 0;
  for (const auto& e : v["encryptions"]) {
    SCOPED_TRACE("sequence number " + std::to_string(seq));
    EXPECT_EQ(HexEncode(internal::ComputeNonce(ks->base_nonce, seq)), e["nonce"]);
    ASSERT_EQ(sender->sequence_number(), seq);
    auto ct = sender->Seal(HexJ(e["aad"]), HexJ(e["pt"]));
    ASSERT_THAT(ct, IsOk());
    EXPECT_EQ(HexEncode(*ct), e["ct"]);
    auto pt = recipient->Open(HexJ(e["aad"]), HexJ(e["ct"]));
    ASSERT_THAT(pt, IsOk());
    EXPECT_EQ(HexEncode(pt->Reveal()), e["pt"]);
    ++seq;
    ++counts.encryptions;
  }
  EXPECT_EQ(recipient->sequence_number(), seq);
  if (*aead == Aead::kExportOnly) {
    EXPECT_THAT(sender->Seal({}, AsBytes("x")), ReasonIs(kReasonExportOnly));
    EXPECT_THAT(recipient->Open({}, Bytes(17, 0)), ReasonIs(kReasonExportOnly));
  } else {
    // The single-shot API gives the first encryption (sequence number 0).
    const auto& first = v["encryptions"][0];
    ScriptedRandom single_rng(HexJ(v["ikmE"]));
    auto sealed =
        SealBase(skR->public_key(), info, HexJ(first["aad"]), HexJ(first["pt"]), *aead, single_rng);
    ASSERT_THAT(sealed, IsOk());
    EXPECT_EQ(HexEncode(sealed->enc), v["enc"]);
    EXPECT_EQ(HexEncode(sealed->ct), first["ct"]);
    auto opened = OpenBase(sealed->enc, *skR, info, HexJ(first["aad"]), sealed->ct, *aead);
    ASSERT_THAT(opened, IsOk());
    EXPECT_EQ(HexEncode(opened->Reveal()), first["pt"]);
  }

  for (const auto& x : v["exports"]) {
    SCOPED_TRACE("export " + x["exporter_context"].get<std::string>());
    size_t length = x["L"].get<size_t>();
    auto from_sender = sender->Export(HexJ(x["exporter_context"]), length);
    auto from_recipient = recipient->Export(HexJ(x["exporter_context"]), length);
    ASSERT_THAT(from_sender, IsOk());
    ASSERT_THAT(from_recipient, IsOk());
    EXPECT_EQ(HexEncode(from_sender->Reveal()), x["exported_value"]);
    EXPECT_EQ(HexEncode(from_recipient->Reveal()), x["exported_value"]);
    ++counts.exports;
  }
  ++counts.vectors;
}

Counts CheckFile(const std::string& path) {
  auto vectors = nlohmann::json::parse(vouch::testing::ReadTestDataString(path));
  Counts counts;
  for (const auto& v : vectors) {
    SCOPED_TRACE(path + " aead " + std::to_string(v["aead_id"].get<int>()));
    CheckVector(v, counts);
  }
  return counts;
}

// The official vectors (cfrg/draft-irtf-cfrg-hpke test-vectors.json @ 5f503c5), base mode, KEM
// 0x0020, KDF 0x0001: AES-256-GCM (Vouch's suite), export-only and AES-128-GCM (= RFC 9180
// A.1). The counts pin the file: a vector or encryption lost from it fails here.
TEST(HpkeTest, Rfc9180OfficialVectors) {
  Counts c = CheckFile("provisioning/rfc9180/x25519-hkdfsha256-base.json");
  EXPECT_EQ(c.vectors, 3);
  EXPECT_EQ(c.encryptions, 2 * 257);
  EXPECT_EQ(c.exports, 3 * 3);
  EXPECT_EQ(c.with_context, 3);
}

// Four more vectors for Vouch's suite from an independent implementation (CC0, derived).
TEST(HpkeTest, DerivedVectorsForVouchSuite) {
  Counts c = CheckFile("provisioning/hpke-derived/derived-x25519-sha256-aes256gcm.json");
  EXPECT_EQ(c.vectors, 4);
  EXPECT_EQ(c.encryptions, 4 * 3);
  EXPECT_EQ(c.exports, 4 * 3);
}

TEST(HpkeTest, SuiteIds) {
  EXPECT_EQ(*SuiteAead(0x20, 1, 2), Aead::kAes256Gcm);
  EXPECT_EQ(*SuiteAead(0x20, 1, 1), Aead::kAes128Gcm);
  EXPECT_EQ(*SuiteAead(0x20, 1, 0xFFFF), Aead::kExportOnly);
  EXPECT_THAT(SuiteAead(0x21, 1, 2), ReasonIs(kReasonUnsupportedSuite));  // X448
  EXPECT_THAT(SuiteAead(0x10, 1, 2), ReasonIs(kReasonUnsupportedSuite));  // P-256
  EXPECT_THAT(SuiteAead(0x20, 2, 2), ReasonIs(kReasonUnsupportedSuite));  // HKDF-SHA384
  EXPECT_THAT(SuiteAead(0x20, 1, 3), ReasonIs(kReasonUnsupportedSuite));  // ChaCha20-Poly1305
  auto key = DeriveKeyPair(Bytes(32, 1));
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(SealBase(key->public_key(), {}, {}, AsBytes("x"), static_cast<Aead>(3)),
              ReasonIs(kReasonUnsupportedSuite));
  EXPECT_THAT(OpenBase(Bytes(32, 9), *key, {}, {}, Bytes(17, 0), static_cast<Aead>(0)),
              ReasonIs(kReasonUnsupportedSuite));
}

TEST(HpkeTest, RoundTripWithSystemRandomness) {
  auto key = DeriveKeyPair(Bytes(32, 7));
  ASSERT_THAT(key, IsOk());
  auto a = SealBase(key->public_key(), AsBytes("info"), {}, AsBytes("secret"));
  auto b = SealBase(key->public_key(), AsBytes("info"), {}, AsBytes("secret"));
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->enc, b->enc);  // a fresh ephemeral key each time
  EXPECT_EQ(a->ct.size(), 6 + kTagSize);
  auto pt = OpenBase(a->enc, *key, AsBytes("info"), {}, a->ct);
  ASSERT_THAT(pt, IsOk());
  EXPECT_EQ(AsStringView(pt->Reveal()), "secret");
}

TEST(HpkeTest, OpenRefusesAnythingChanged) {
  auto key = DeriveKeyPair(Bytes(32, 7));
  auto other = DeriveKeyPair(Bytes(32, 8));
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(other, IsOk());
  auto sealed = SealBase(key->public_key(), AsBytes("info"), AsBytes("aad"), AsBytes("secret"));
  ASSERT_THAT(sealed, IsOk());
  auto open = [&](ByteSpan enc, const X25519PrivateKey& k, std::string_view info,
                  std::string_view aad, ByteSpan ct, Aead aead = Aead::kAes256Gcm) {
    return OpenBase(enc, k, AsBytes(info), AsBytes(aad), ct, aead);
  };
  ASSERT_THAT(open(sealed->enc, *key, "info", "aad", sealed->ct), IsOk());
  EXPECT_THAT(open(sealed->enc, *other, "info", "aad", sealed->ct), ReasonIs(kReasonOpenFailed));
  EXPECT_THAT(open(sealed->enc, *key, "infp", "aad", sealed->ct), ReasonIs(kReasonOpenFailed));
  EXPECT_THAT(open(sealed->enc, *key, "info", "", sealed->ct), ReasonIs(kReasonOpenFailed));
  EXPECT_THAT(open(sealed->enc, *key, "info", "aad", sealed->ct, Aead::kAes128Gcm),
              ReasonIs(kReasonOpenFailed));
  for (size_t i = 0; i < sealed->ct.size(); ++i) {
    Bytes ct = sealed->ct;
    ct[i] ^= 0x01;
    EXPECT_THAT(open(sealed->enc, *key, "info", "aad", ct), StatusIs(StatusCode::kPermissionDenied))
        << "byte " << i;
  }
  Enc enc = sealed->enc;
  enc[5] ^= 0x20;
  EXPECT_THAT(open(enc, *key, "info", "aad", sealed->ct), ReasonIs(kReasonOpenFailed));
  // Truncated to the tag or below.
  EXPECT_THAT(open(sealed->enc, *key, "info", "aad", ByteSpan(sealed->ct).first(kTagSize)),
              ReasonIs(kReasonOpenFailed));
  EXPECT_THAT(open(sealed->enc, *key, "info", "aad", ByteSpan(sealed->ct).first(kTagSize - 1)),
              ReasonIs(kReasonMalformed));
}

TEST(HpkeTest, FailedOpenDoesNotAdvanceTheSequence) {
  auto key = DeriveKeyPair(Bytes(32, 3));
  ASSERT_THAT(key, IsOk());
  auto sender = SenderContext::SetupBase(key->public_key(), AsBytes("i"));
  ASSERT_THAT(sender, IsOk());
  auto c0 = sender->Seal({}, AsBytes("zero"));
  auto c1 = sender->Seal({}, AsBytes("one"));
  ASSERT_THAT(c0, IsOk());
  ASSERT_THAT(c1, IsOk());
  auto recipient = RecipientContext::SetupBase(sender->enc(), *key, AsBytes("i"));
  ASSERT_THAT(recipient, IsOk());
  EXPECT_THAT(recipient->Open({}, *c1), ReasonIs(kReasonOpenFailed));  // out of order
  EXPECT_EQ(recipient->sequence_number(), 0u);
  EXPECT_EQ(AsStringView(recipient->Open({}, *c0)->Reveal()), "zero");
  EXPECT_EQ(AsStringView(recipient->Open({}, *c1)->Reveal()), "one");
  EXPECT_THAT(recipient->Open({}, *c1), ReasonIs(kReasonOpenFailed));  // no replay
}

// Encapsulating first and deriving the key schedule later (the broker's steps 10 and 17) gives
// the same ciphertext as SetupBase with the same ephemeral key.
TEST(HpkeTest, EncapThenKeySchedule) {
  auto key = DeriveKeyPair(Bytes(32, 4));
  ASSERT_THAT(key, IsOk());
  ScriptedRandom rng1(Bytes(32, 0x55));
  ScriptedRandom rng2(Bytes(32, 0x55));
  auto encapsulation = Encap(key->public_key(), rng1);
  ASSERT_THAT(encapsulation, IsOk());
  EXPECT_TRUE(EqualBytes(encapsulation->recipient, key->public_key()));
  auto late = SenderContext::FromEncapsulation(*encapsulation, AsBytes("info"));
  auto direct =
      SenderContext::SetupBase(key->public_key(), AsBytes("info"), Aead::kAes256Gcm, rng2);
  ASSERT_THAT(late, IsOk());
  ASSERT_THAT(direct, IsOk());
  EXPECT_EQ(late->enc(), direct->enc());
  EXPECT_EQ(*late->Seal({}, AsBytes("m")), *direct->Seal({}, AsBytes("m")));
}

// RFC 9180 §7.1.4: the all-zero DH output must be refused. These public keys are the
// low-order points of Curve25519 and their non-canonical encodings: every scalar maps them to
// zero.
TEST(HpkeTest, LowOrderPointsAreRefusedBySenderAndRecipient) {
  const char* kLowOrder[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  auto key = DeriveKeyPair(Bytes(32, 5));
  ASSERT_THAT(key, IsOk());
  for (const char* point : kLowOrder) {
    SCOPED_TRACE(point);
    EXPECT_THAT(Encap(Hex(point)), ReasonIs(kReasonInvalidKey));
    EXPECT_THAT(SealBase(Hex(point), {}, {}, AsBytes("x")), ReasonIs(kReasonInvalidKey));
    EXPECT_THAT(Decap(Hex(point), *key), ReasonIs(kReasonInvalidKey));
    EXPECT_THAT(OpenBase(Hex(point), *key, {}, {}, Bytes(32, 0)),
                StatusIs(StatusCode::kInvalidArgument));
  }
}

TEST(HpkeTest, SizesAreExact) {
  auto key = DeriveKeyPair(Bytes(32, 6));
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(Encap(Bytes(31, 9)), ReasonIs(kReasonMalformed));
  EXPECT_THAT(Encap(Bytes(33, 9)), ReasonIs(kReasonMalformed));
  EXPECT_THAT(Decap(Bytes(33, 9), *key), ReasonIs(kReasonMalformed));
  EXPECT_THAT(Decap({}, *key), ReasonIs(kReasonMalformed));
  EXPECT_THAT(DeriveKeyPair(Bytes(31, 1)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 32 bytes")));
  EXPECT_THAT(DeriveKeyPair(Bytes(64, 1)), IsOk());
  auto sender = SenderContext::SetupBase(key->public_key(), {});
  ASSERT_THAT(sender, IsOk());
  EXPECT_THAT(sender->Export({}, 0), ReasonIs(kReasonMalformed));
  EXPECT_THAT(sender->Export({}, kMaxExportSize + 1), ReasonIs(kReasonMalformed));
  EXPECT_EQ(sender->Export({}, kMaxExportSize)->size(), kMaxExportSize);
}

TEST(HpkeTest, RandomSourceFailureIsReported) {
  ScriptedRandom empty;
  auto key = DeriveKeyPair(Bytes(32, 6));
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(SealBase(key->public_key(), {}, {}, AsBytes("x"), Aead::kAes256Gcm, empty),
              StatusIs(StatusCode::kInternal, HasSubstr("exhausted")));
}

}  // namespace
}  // namespace vouch::hpke
