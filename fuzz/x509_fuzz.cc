// Fuzzes certificate parsing (DER and PEM bundles) and CRL parsing. Parsed certificates must
// re-serialise to exactly the input DER.
#include <cstdint>
#include <cstdlib>

#include "vouch/crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteSpan input(data, size);
  auto cert = vouch::Certificate::FromDer(input);
  if (cert.ok()) {
    if (cert->der() != vouch::Bytes(input.begin(), input.end())) std::abort();
    (void)cert->SubjectCommonName();
    (void)cert->EcPublicKey();
    (void)cert->VerifySignedBy(*cert);
    auto again = vouch::Certificate::ParsePemChain(cert->ToPem());
    if (!again.ok() || again->size() != 1 || !((*again)[0] == *cert)) std::abort();
  }
  (void)vouch::Certificate::ParsePemChain(vouch::AsStringView(input));
  auto crl = vouch::Crl::FromDer(input);
  if (crl.ok()) (void)crl->revoked_count();
  return 0;
}
