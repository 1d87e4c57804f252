#include "vouch/crypto/x25519.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

// RFC 7748 §6.1.
TEST(X25519Test, Rfc7748DiffieHellman) {
  auto alice = X25519PrivateKey::FromBytes(
      Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  auto bob = X25519PrivateKey::FromBytes(
      Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  ASSERT_THAT(alice, IsOk());
  ASSERT_THAT(bob, IsOk());
  EXPECT_EQ(HexEncode(alice->public_key()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(HexEncode(bob->public_key()),
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  auto shared = alice->Agree(bob->public_key());
  ASSERT_THAT(shared, IsOk());
  EXPECT_EQ(HexEncode(shared->Reveal()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_TRUE(*shared == *bob->Agree(alice->public_key()));
}

TEST(X25519Test, RejectsLowOrderPoints) {
  auto key = X25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  EXPECT_FALSE(key->Agree(Bytes(32, 0)).ok());
  EXPECT_FALSE(key->Agree(Bytes(31, 1)).ok());
}

}  // namespace
}  // namespace vouch
