// HPKE (RFC 9180 base mode, Vouch's suite) single-shot seal and open rates next to raw X25519
// agreements measured in the same run. Not a test: prints figures and ratios
// (docs/formats/provisioning-crypto.md, "Speed").
//
//   build/default/bench/hpke_bench [--seconds N]
//
// The reference is one X25519 agreement as `openssl speed x25519` runs it: EVP_PKEY_derive with
// both keys loaded once. A SealBase needs two scalar multiplications (the ephemeral public key
// and the agreement) and an OpenBase one, so the floor for seal+open is a third of the reference
// rate; the gap above that is HKDF (eight HMAC-based steps per side), AES-GCM and allocation.
// The benchmark calls OpenSSL directly for that reference only; libvouch keeps it in crypto/.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "bench_util.h"
#include "vouch/crypto/hpke.h"
#include "vouch/crypto/sha.h"

namespace {

double Rate(double seconds, const std::function<bool()>& fn) {
  return vouch::bench::Rate(seconds, /*warmup=*/20, /*batch=*/20, fn);
}

// One X25519 agreement with prepared keys, as `openssl speed` measures it.
struct OpensslX25519 {
  EVP_PKEY* self = nullptr;
  EVP_PKEY* peer = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  OpensslX25519() {
    EVP_PKEY_CTX* gen = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr);
    EVP_PKEY_keygen_init(gen);
    EVP_PKEY_keygen(gen, &self);
    EVP_PKEY_keygen(gen, &peer);
    EVP_PKEY_CTX_free(gen);
    ctx = EVP_PKEY_CTX_new(self, nullptr);
    EVP_PKEY_derive_init(ctx);
    EVP_PKEY_derive_set_peer(ctx, peer);
  }
  ~OpensslX25519() {
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(self);
  }
  bool Agree() {
    unsigned char out[32];
    size_t len = sizeof(out);
    return EVP_PKEY_derive(ctx, out, &len) == 1;
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): benchmark main
  const double seconds = bench::FlagValue(argc, argv, "--seconds", 6);
  auto key = *hpke::DeriveKeyPair(Sha256(AsBytes("hpke bench recipient")));
  const Bytes info(300, 0x69);      // about the size of an envelope's info
  const Bytes plaintext(72, 0x70);  // an inner plaintext with a 32-byte secret
  auto sealed = *hpke::SealBase(key.public_key(), info, {}, plaintext);

  OpensslX25519 ref;
  const int rounds = 5;
  const double per = seconds / (rounds * 4);
  double x25519 = 0, seal = 0, open = 0, both = 0;
  for (int r = 0; r < rounds; ++r) {
    x25519 = std::max(x25519, Rate(per, [&] { return ref.Agree(); }));
    seal = std::max(seal, Rate(per, [&] {
                      return hpke::SealBase(key.public_key(), info, {}, plaintext).ok();
                    }));
    open = std::max(
        open, Rate(per, [&] { return hpke::OpenBase(sealed.enc, key, info, {}, sealed.ct).ok(); }));
    both = std::max(both, Rate(per, [&] {
                      auto s = hpke::SealBase(key.public_key(), info, {}, plaintext);
                      return s.ok() && hpke::OpenBase(s->enc, key, info, {}, s->ct).ok();
                    }));
  }
  std::printf("HPKE base mode, DHKEM(X25519, HKDF-SHA256)/HKDF-SHA256/AES-256-GCM, one core,\n");
  std::printf("72-byte plaintext, 300-byte info (best of %d alternating rounds)\n\n", rounds);
  std::printf("%-34s %12.0f /s %9.1f us\n", "X25519 agreement (OpenSSL, ref.)", x25519,
              1e6 / x25519);
  std::printf("%-34s %12.0f /s %9.1f us   %5.2f agreements' time\n", "SealBase", seal, 1e6 / seal,
              x25519 / seal);
  std::printf("%-34s %12.0f /s %9.1f us   %5.2f agreements' time\n", "OpenBase", open, 1e6 / open,
              x25519 / open);
  std::printf("%-34s %12.0f /s %9.1f us   %5.2f agreements' time\n", "SealBase + OpenBase", both,
              1e6 / both, x25519 / both);
  std::printf("\nseal+open reaches %.0f%% of its floor (3 scalar multiplications = %.0f /s)\n",
              100 * both / (x25519 / 3), x25519 / 3);
  return 0;
}
