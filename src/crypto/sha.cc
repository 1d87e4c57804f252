#include "vouch/crypto/sha.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "crypto/ossl_ptr.h"

namespace vouch {
namespace {

// The algorithms, fetched once. OpenSSL 3.0's one-shot SHA256() and an EVP_DigestInit with
// EVP_sha256() look the algorithm up by name on every call (a lock and a search of the provider
// store): three times the cost of hashing a Merkle node, and these run on every tree operation.
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kMd;
}
const EVP_MD* Sha512Algorithm() {
  static const EVP_MD* const kMd = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return kMd;
}

// Hashes prefix ‖ parts[0] ‖ … into `out` on this thread's context, which keeps its provider
// state from one hash to the next (no allocation per hash). Failure means memory exhaustion or
// a broken OpenSSL; there is no useful recovery.
void Digest(const EVP_MD* md, ByteSpan prefix, std::initializer_list<ByteSpan> parts,
            uint8_t* out) {
  thread_local const internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), prefix.data(), prefix.size()) == 1;
  for (ByteSpan part : parts) {
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  }
  unsigned int len = 0;
  if (!ok || EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) std::abort();
}

}  // namespace

Sha256Digest Sha256(ByteSpan data) {
  Sha256Digest out;
  Digest(Sha256Algorithm(), data, {}, out.data());
  return out;
}

Sha512Digest Sha512(ByteSpan data) {
  Sha512Digest out;
  Digest(Sha512Algorithm(), data, {}, out.data());
  return out;
}

Sha256Digest Sha256WithPrefix(ByteSpan prefix, std::initializer_list<ByteSpan> parts) {
  Sha256Digest out;
  Digest(Sha256Algorithm(), prefix, parts, out.data());
  return out;
}

struct Sha256Hasher::State {
  internal::EvpMdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  // Failure here means memory exhaustion; there is no useful recovery.
  if (!state_->ctx || EVP_DigestInit_ex2(state_->ctx.get(), Sha256Algorithm(), nullptr) != 1) {
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
  EVP_DigestInit_ex2(state_->ctx.get(), Sha256Algorithm(), nullptr);
  return out;
}

}  // namespace vouch
