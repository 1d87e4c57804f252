#include "vouch/base/secret_bytes.h"

#include <string.h>  // explicit_bzero (glibc)

namespace vouch {

void SecureWipe(void* data, size_t size) {
  if (size > 0) explicit_bzero(data, size);  // empty vectors may hand us a null pointer
}

bool ConstantTimeEquals(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = static_cast<uint8_t>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

}  // namespace vouch
