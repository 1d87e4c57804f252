#include "vouch/crypto/sha.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdlib>

#include "crypto/ossl_ptr.h"

namespace vouch {

// The one-shot functions use OpenSSL's fixed-function SHA API: EVP fetches cost more than
// hashing a Merkle node, and these run on every tree operation.
Sha256Digest Sha256(ByteSpan data) {
  Sha256Digest out;
  SHA256(data.data(), data.size(), out.data());
  return out;
}

Sha512Digest Sha512(ByteSpan data) {
  Sha512Digest out;
  SHA512(data.data(), data.size(), out.data());
  return out;
}

Sha256Digest Sha256WithPrefix(ByteSpan prefix, std::initializer_list<ByteSpan> parts) {
  size_t total = prefix.size();
  for (ByteSpan part : parts) total += part.size();
  if (total <= kSha256StackInputMax) {
    std::array<uint8_t, kSha256StackInputMax> buf;
    uint8_t* p = std::copy(prefix.begin(), prefix.end(), buf.data());
    for (ByteSpan part : parts) p = std::copy(part.begin(), part.end(), p);
    return Sha256(ByteSpan(buf.data(), total));
  }
  Sha256Hasher hasher;
  hasher.Update(prefix);
  for (ByteSpan part : parts) hasher.Update(part);
  return hasher.Finish();
}

struct Sha256Hasher::State {
  internal::EvpMdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  // Failure here means memory exhaustion; there is no useful recovery.
  if (!state_->ctx || EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
}
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(ByteSpan data) {
  EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size());
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx.get(), out.data(), &len);
  EVP_DigestInit_ex(state_->ctx.get(), EVP_sha256(), nullptr);
  return out;
}

}  // namespace vouch
