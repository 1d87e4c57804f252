// libFuzzer target for the SGX SIGSTRUCT parser (Intel SDM Vol. 3D, include/vouch/sgx/sigstruct.h).
//
// Properties checked on every input:
//   * failures are kInvalidArgument ("sigstruct_malformed") or kPermissionDenied
//     ("sigstruct_signature_invalid", "sigstruct_quotients_invalid");
//   * a SIGSTRUCT that parses is 1808 bytes, its MRSIGNER is SHA-256 of the stored modulus,
//     and its fields are the bytes at the SDM offsets.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/base/byte_reader.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/sigstruct.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  ByteSpan in(data, size);
  auto sig = sgx::Sigstruct::Parse(in);
  if (!sig.ok()) {
    const std::string& r = sig.status().reason();
    bool malformed =
        sig.status().code() == StatusCode::kInvalidArgument && r == "sigstruct_malformed";
    bool rejected = sig.status().code() == StatusCode::kPermissionDenied &&
                    (r == "sigstruct_signature_invalid" || r == "sigstruct_quotients_invalid");
    if (!malformed && !rejected) std::abort();
    return 0;
  }
  if (size != sgx::kSigstructSize) std::abort();
  if (sig->mr_signer() != Sha256(in.subspan(128, 384))) std::abort();
  if (!EqualBytes(sig->body().enclave_hash, in.subspan(960, 32))) std::abort();
  if (sig->body().isv_prod_id != LoadU16Le(data + 1024)) std::abort();
  if (sig->body().isv_svn != LoadU16Le(data + 1026)) std::abort();
  return 0;
}
