#include <openssl/err.h>

#include "crypto/ossl_ptr.h"

namespace vouch::internal {

Status OsslErrorWithCode(StatusCode code, const std::string& what) {
  std::string message = what;
  unsigned long err;
  bool first = true;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    message += first ? " (" : "; ";
    message += buf;
    first = false;
  }
  if (!first) message += ")";
  return Status(code, std::move(message));
}

Status OsslError(const std::string& what) { return OsslErrorWithCode(StatusCode::kInternal, what); }

void ClearOsslErrors() { ERR_clear_error(); }

}  // namespace vouch::internal
