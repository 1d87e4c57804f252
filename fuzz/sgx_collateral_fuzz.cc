// Fuzzes the collateral readers: PCS response splitting, TCB Info (v2/v3), QE Identity, the PCK
// certificate SGX extension and DER-or-hex CRL decoding. The first byte selects the parser.
#include <cstdint>

#include "vouch/sgx/collateral.h"
#include "vouch/sgx/pck_extension.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  vouch::ByteSpan input(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto signed_json = vouch::sgx::ExtractSignedJson(vouch::AsStringView(input), "tcbInfo");
      if (signed_json.ok()) (void)vouch::sgx::TcbInfo::Parse(signed_json->body);
      break;
    }
    case 1:
      (void)vouch::sgx::TcbInfo::Parse(input);
      break;
    case 2:
      (void)vouch::sgx::QeIdentity::Parse(input);
      break;
    case 3:
      (void)vouch::sgx::PckExtension::Parse(input);
      break;
    case 4:
      (void)vouch::sgx::DecodeDerOrHex(input);
      break;
  }
  return 0;
}
