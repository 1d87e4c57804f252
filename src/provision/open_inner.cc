#include "provision/open_inner.h"

namespace vouch::provision::internal {

StatusOr<Inner> OpenInner(const X25519PrivateKey& key, ByteSpan info,
                          const hpke::Ciphertext& sealed, const char* reason,
                          const std::string& what) {
  auto plaintext = hpke::OpenBase(sealed.enc, key, info, {}, sealed.ct);
  if (!plaintext.ok()) {
    if (plaintext.status().code() == StatusCode::kInternal) return plaintext.status();
    return RejectedError(reason, what + ": " + plaintext.status().message());
  }
  auto inner = Inner::Parse(plaintext->Reveal());
  if (!inner.ok()) return RejectedError(reason, what + ": " + inner.status().message());
  return inner;
}

}  // namespace vouch::provision::internal
