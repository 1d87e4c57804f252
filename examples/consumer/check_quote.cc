// check_quote: verifies an SGX quote offline against a directory of Intel collateral at a given
// time, then checks it against a Conclave-style constraint; a few lines of libvouch.
//
//   check_quote QUOTE COLLATERAL_DIR UNIX_TIME [CONSTRAINT]
//
// Prints the enclave's MRENCLAVE and TCB status; exit 0 accepted, 1 rejected, 2 bad usage.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/constraint/constraint.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/sgx/verifier.h"

namespace {

int Reject(const char* what, const vouch::Status& status) {
  std::fprintf(stderr, "check_quote: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: check_quote QUOTE COLLATERAL_DIR UNIX_TIME [CONSTRAINT]\n");
    return 2;
  }
  auto quote = vouch::ReadFile(argv[1]);
  if (!quote.ok()) return Reject("quote", quote.status());
  auto collateral = vouch::sgx::ReadCollateralDirectory(argv[2]);
  if (!collateral.ok()) return Reject("collateral", collateral.status());
  const vouch::UnixSeconds at = std::strtoll(argv[3], nullptr, 10);

  auto verifier = vouch::sgx::DcapVerifier::Create(
      {{vouch::sgx::IntelSgxRootCa(), vouch::sgx::TrustRootKind::kProduction}});
  if (!verifier.ok()) return Reject("verifier", verifier.status());
  auto result = (*verifier)->Verify(*quote, *collateral, {.at = at});
  if (!result.ok()) return Reject("quote does not verify", result.status());

  const vouch::EnclaveInstanceInfo info = vouch::sgx::ToEnclaveInstanceInfo(*result);
  std::printf("MRENCLAVE %s\nTCB status %s\n", vouch::HexEncode(info.code_hash).c_str(),
              std::string(vouch::sgx::TcbStatusName(result->tcb_status)).c_str());
  if (argc == 5) {
    auto constraint = vouch::EnclaveConstraint::Parse(argv[4]);
    if (!constraint.ok()) return Reject("constraint", constraint.status());
    if (auto check = constraint->Check(info, at); !check.ok()) return Reject("constraint", check);
    std::printf("constraint satisfied\n");
  }
  return 0;
}
