#include "vouch/crypto/random_source.h"

#include <openssl/rand.h>

#include <climits>

#include "crypto/ossl_ptr.h"

namespace vouch {
namespace {

class OsRandom final : public RandomSource {
 public:
  Status Fill(std::span<uint8_t> out) override {
    for (size_t off = 0; off < out.size();) {
      size_t n = std::min<size_t>(out.size() - off, INT_MAX);
      if (RAND_priv_bytes(out.data() + off, static_cast<int>(n)) != 1) {
        return internal::OsslError("RAND_priv_bytes failed");
      }
      off += n;
    }
    return OkStatus();
  }
};

}  // namespace

RandomSource& SystemRandom() {
  static OsRandom* const kSource = new OsRandom();  // never destroyed: usable during exit
  return *kSource;
}

}  // namespace vouch
