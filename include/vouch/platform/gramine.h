// Real SGX through Gramine's /dev/attestation pseudo-filesystem (Gramine
// Documentation/attestation.rst, "Low-level /dev/attestation interface", and
// manifest-syntax.rst, "Encrypted files" for the special keys):
//
//   attestation_type   read: "none", "epid" or "dcap"
//   user_report_data   write 64 bytes before reading report or quote
//   report             read: sgx_report_t (432 bytes: 384-byte body, key ID, MAC)
//   quote              read: the Quoting Enclave's quote over the last user_report_data
//   keys/_sgx_mrenclave, keys/_sgx_mrsigner
//                      read: 16-byte EGETKEY seal keys (MRENCLAVE / MRSIGNER policy) for the
//                      enclave's own ISV SVN and CPU SVN
//
// The directory is a parameter so that tests can use a fake one. This backend is tested only
// against such fakes here; it has not been exercised on SGX hardware in this project.
//
// Limit: Gramine exposes the seal key for the enclave's own ISV SVN only, so on Gramine a
// MRSIGNER-sealed blob unseals only in an enclave with exactly the SVN that sealed it (SealKey
// for a lower SVN fails with kFailedPrecondition, reason "gramine_svn_unavailable").
#ifndef VOUCH_PLATFORM_GRAMINE_H_
#define VOUCH_PLATFORM_GRAMINE_H_

#include <memory>
#include <string>

#include "vouch/platform/platform.h"

namespace vouch::platform {

inline constexpr char kGramineAttestationDir[] = "/dev/attestation";

// Opens the attestation directory and reads the enclave's identity from a report. Fails with
// kFailedPrecondition (reason "platform_unavailable") when `dir` is not a Gramine attestation
// directory, kInvalidArgument (reason "gramine_malformed") for unexpected contents.
StatusOr<std::unique_ptr<Platform>> NewGraminePlatform(const std::string& dir);

}  // namespace vouch::platform

#endif  // VOUCH_PLATFORM_GRAMINE_H_
