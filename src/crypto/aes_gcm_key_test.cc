// Aes256GcmKey: the McGrew–Viega AES-256 vectors through the prepared-key path, reuse of one
// key for many messages, agreement with the one-shot functions, and wiping on failure.
#include "vouch/crypto/aes_gcm_key.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/aes_gcm.h"

namespace vouch {
namespace {

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, with AAD).
constexpr char kKey[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr char kIv[] = "cafebabefacedbaddecaf888";
constexpr char kPlaintext[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449"
    "a6b525b16aedf5aa0de657ba637b39";
constexpr char kAad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr char kCiphertextAndTag[] =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
    "828838c5f61e6393ba7a0abcc9f662"
    "76fc6ece0f4e1768cddf8853bb2d551b";

TEST(Aes256GcmKeyTest, PublishedVector) {
  auto key = Aes256GcmKey::Create(SecretBytes(Hex(kKey)));
  ASSERT_THAT(key, IsOk());
  Bytes pt = Hex(kPlaintext);
  Bytes out(pt.size() + 16);
  ASSERT_THAT(key->Seal(Hex(kIv), pt, Hex(kAad), out), IsOk());
  EXPECT_EQ(HexEncode(out), kCiphertextAndTag);
  Bytes back(pt.size());
  ASSERT_THAT(key->Open(Hex(kIv), out, Hex(kAad), back), IsOk());
  EXPECT_EQ(back, pt);
}

TEST(Aes256GcmKeyTest, ReusedKeyMatchesOneShot) {
  SecretBytes raw(Hex(kKey));
  auto key = *Aes256GcmKey::Create(raw);
  for (size_t size : {0, 1, 15, 16, 17, 4096, 70000}) {
    Bytes nonce(12, static_cast<uint8_t>(size));
    Bytes pt(size, 0x5c);
    Bytes aad = ToBytes("aad");
    Bytes out(size + 16);
    ASSERT_THAT(key.Seal(nonce, pt, aad, out), IsOk());
    EXPECT_EQ(out, *Aes256GcmSeal(raw, nonce, pt, aad)) << size;
    Bytes back(size);
    ASSERT_THAT(key.Open(nonce, out, aad, back), IsOk());
    EXPECT_EQ(back, pt);
  }
}

TEST(Aes256GcmKeyTest, TamperingFailsAndWipesOutput) {
  auto key = *Aes256GcmKey::Create(SecretBytes(Hex(kKey)));
  Bytes pt = Hex(kPlaintext);
  Bytes sealed(pt.size() + 16);
  ASSERT_THAT(key.Seal(Hex(kIv), pt, Hex(kAad), sealed), IsOk());
  for (size_t i = 0; i < sealed.size(); i += 7) {
    Bytes bad = sealed;
    bad[i] ^= 0x80;
    Bytes out(pt.size(), 0xee);
    EXPECT_THAT(key.Open(Hex(kIv), bad, Hex(kAad), out), ReasonIs("aead_open_failed"));
    EXPECT_EQ(out, Bytes(pt.size(), 0)) << "output not wiped at " << i;
  }
  Bytes out(pt.size());
  EXPECT_THAT(key.Open(Hex(kIv), sealed, ToBytes("other aad"), out), ReasonIs("aead_open_failed"));
  // The key still works after failures.
  EXPECT_THAT(key.Open(Hex(kIv), sealed, Hex(kAad), out), IsOk());
  EXPECT_EQ(out, pt);
}

TEST(Aes256GcmKeyTest, RejectsBadSizes) {
  EXPECT_THAT(Aes256GcmKey::Create(SecretBytes(Bytes(16, 1))),
              StatusIs(StatusCode::kInvalidArgument));
  auto key = *Aes256GcmKey::Create(SecretBytes(Hex(kKey)));
  Bytes pt(10), out(10);
  EXPECT_THAT(key.Seal(Bytes(12), pt, {}, out), StatusIs(StatusCode::kInvalidArgument));
  Bytes out2(26);
  EXPECT_THAT(key.Seal(Bytes(11), pt, {}, out2), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(key.Open(Bytes(12), Bytes(15), {}, std::span<uint8_t>()),
              StatusIs(StatusCode::kInvalidArgument));
  // Overlapping buffers are refused.
  Bytes buf(64);
  EXPECT_THAT(
      key.Seal(Bytes(12), ByteSpan(buf).subspan(8, 16), {}, std::span<uint8_t>(buf).first(32)),
      StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace vouch
