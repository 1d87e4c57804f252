// Seal and unseal throughput at 4 KiB, 64 KiB and 1 MiB next to OpenSSL's own AES-256-GCM
// rate measured in the same run (goal: >= 90%), and the simulated platform's quote generation
// rate. Not a test: prints figures and ratios (docs/sealing.md, "Speed").
//
//   build/default/bench/seal_bench [--seconds N]
//
// The reference is raw OpenSSL EVP AES-256-GCM as `openssl speed -evp aes-256-gcm` runs it: one
// context with the key set up once, a new nonce, the data and a tag per message, into a reused
// buffer, with a 16-byte AAD (about what a sealed blob authenticates: its 80-byte header). The
// benchmark calls OpenSSL directly for that reference only; libvouch keeps OpenSSL in crypto/.
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "bench_util.h"
#include "vouch/crypto/sha.h"
#include "vouch/platform/mock.h"
#include "vouch/platform/sim.h"
#include "vouch/seal/seal.h"

namespace {

// Calls per second of `fn` over about `seconds` (10 warm-up calls, batches of 10).
double Rate(double seconds, const std::function<bool()>& fn) {
  return vouch::bench::Rate(seconds, /*warmup=*/10, /*batch=*/10, fn);
}

// OpenSSL's AES-256-GCM with a prepared key, as `openssl speed -evp` measures it.
struct OpensslGcm {
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  unsigned char iv[12] = {0};
  unsigned char aad[80] = {0};
  OpensslGcm() {
    unsigned char key[32] = {7};
    EVP_EncryptInit_ex(enc, EVP_aes_256_gcm(), nullptr, key, nullptr);
    EVP_DecryptInit_ex(dec, EVP_aes_256_gcm(), nullptr, key, nullptr);
  }
  ~OpensslGcm() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
  }
  bool Seal(const unsigned char* in, int n, unsigned char* out, unsigned char* tag) {
    int len = 0;
    iv[0]++;
    return EVP_EncryptInit_ex(enc, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_EncryptUpdate(enc, nullptr, &len, aad, sizeof(aad)) == 1 &&
           EVP_EncryptUpdate(enc, out, &len, in, n) == 1 &&
           EVP_EncryptFinal_ex(enc, out + len, &len) == 1 &&
           EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
  }
  bool Open(const unsigned char* in, int n, unsigned char* tag, unsigned char* out) {
    int len = 0;
    return EVP_DecryptInit_ex(dec, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_DecryptUpdate(dec, nullptr, &len, aad, sizeof(aad)) == 1 &&
           EVP_DecryptUpdate(dec, out, &len, in, n) == 1 &&
           EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1 &&
           EVP_DecryptFinal_ex(dec, out + len, &len) == 1;
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): benchmark main
  const double seconds = bench::FlagValue(argc, argv, "--seconds", 6);

  platform::MockPlatformOptions mo;
  mo.code_hash = Sha256(AsBytes("bench"));
  mo.secret = SecretBytes(Bytes(32, 0x42));
  auto mock = platform::NewMockPlatform(std::move(mo));
  auto sealer = *seal::Sealer::Create(*mock);

  std::printf("Sealing throughput (one core; best of alternating rounds; MB = 10^6 bytes)\n");
  std::printf("%-8s %14s %14s %7s   %14s %14s %7s   %12s\n", "size", "seal MB/s", "OpenSSL MB/s",
              "ratio", "unseal MB/s", "OpenSSL MB/s", "ratio", "one-shot/s");
  for (size_t size : {size_t{4096}, size_t{65536}, size_t{1} << 20}) {
    Bytes data(size, 0xa5);
    Bytes blob;
    SecretBytes plain(size);
    Bytes aad = ToBytes("bench");
    OpensslGcm ref;
    Bytes ref_out(size);
    unsigned char tag[16];
    Bytes sealed = *sealer.Seal(seal::SealPolicy::kMrSigner, data, aad);
    ref.Seal(data.data(), static_cast<int>(size), ref_out.data(), tag);

    const int rounds = 5;
    const double per = seconds / (rounds * 5);
    double s_ref = 0, s_vouch = 0, o_ref = 0, o_vouch = 0, one_shot = 0;
    for (int r = 0; r < rounds; ++r) {
      s_ref = std::max(s_ref, Rate(per, [&] {
                         return ref.Seal(data.data(), static_cast<int>(size), ref_out.data(), tag);
                       }));
      s_vouch = std::max(s_vouch, Rate(per, [&] {
                           return sealer.SealTo(seal::SealPolicy::kMrSigner, data, aad, blob).ok();
                         }));
      o_ref = std::max(o_ref, Rate(per, [&] {
                         // Decrypts the last sealed message (its tag was just computed with the
                         // same nonce).
                         return ref.Open(ref_out.data(), static_cast<int>(size), tag, data.data());
                       }));
      o_vouch =
          std::max(o_vouch, Rate(per, [&] { return sealer.UnsealTo(sealed, aad, plain).ok(); }));
      one_shot = std::max(one_shot, Rate(per, [&] {
                            return seal::Seal(*mock, seal::SealPolicy::kMrSigner, plain, aad).ok();
                          }));
    }
    auto mbs = [&](double rate) { return rate * static_cast<double>(size) / 1e6; };
    std::printf("%-8s %14.0f %14.0f %6.0f%%   %14.0f %14.0f %6.0f%%   %12.0f\n",
                size == 4096    ? "4 KiB"
                : size == 65536 ? "64 KiB"
                                : "1 MiB",
                mbs(s_vouch), mbs(s_ref), 100 * s_vouch / s_ref, mbs(o_vouch), mbs(o_ref),
                100 * o_vouch / o_ref, one_shot);
  }

  // Quote generation on the simulated platform: the ISV report signed by the QE's attestation
  // key, one P-256 signature per quote (the key and its PCK-signed QE report are made once, as
  // a real Quoting Enclave does).
  std::string dir = std::filesystem::temp_directory_path().string() + "/vouch-bench-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) return 3;
  auto installation = platform::SimInstallation::Init(dir + "/sim", 1760000000, false);
  if (!installation.ok()) return 3;
  platform::EnclaveIdentity id;
  id.mr_enclave = Sha256(AsBytes("bench"));
  id.attributes = platform::EnclaveIdentity::DefaultAttributes(false);
  auto sim = platform::NewSimPlatform(
      std::make_shared<const platform::SimInstallation>(std::move(*installation)), id);
  platform::ReportData rd{};
  double quotes = 0;
  for (int r = 0; r < 3; ++r) {
    quotes = std::max(quotes, Rate(seconds / 6, [&] { return sim->Quote(rd).ok(); }));
  }
  std::printf("\nSimulated DCAP v3 quotes: %.0f quotes/s (%.1f us each)\n", quotes, 1e6 / quotes);
  std::filesystem::remove_all(dir);
  return 0;
}
