// Internal: OpenBase + Inner::Parse with one error for every way it can fail, shared by the
// envelope, the response and the recovery wrap.
//
// Thread-safe.
#ifndef VOUCH_PROVISION_OPEN_INNER_H_
#define VOUCH_PROVISION_OPEN_INNER_H_

#include <string>

#include "vouch/crypto/hpke.h"
#include "vouch/provision/inner.h"

namespace vouch::provision::internal {

// OpenBase(sealed.enc, key, info, "", sealed.ct) (Vouch's suite) and Inner::Parse of the
// plaintext. Any failure but an internal one becomes kPermissionDenied with `reason` and the
// message "`what`: <cause>"; no plaintext survives a failure.
StatusOr<Inner> OpenInner(const X25519PrivateKey& key, ByteSpan info,
                          const hpke::Ciphertext& sealed, const char* reason,
                          const std::string& what);

}  // namespace vouch::provision::internal

#endif  // VOUCH_PROVISION_OPEN_INNER_H_
