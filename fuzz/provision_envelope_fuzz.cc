// libFuzzer target for the envelope file parser (src/provision/envelope.cc,
// spec/provisioning.md §2.1, §2.2, §2.5), seeded with the vector's envelope and variants of it
// (fuzz/corpus/provision_envelope/).
//
// Properties checked on every input (any violation aborts):
//   * Parse fails only with "envelope_malformed" or "envelope_unsupported" (kInvalidArgument);
//   * what it accepts is canonical: its payload re-encodes to the signed payload bytes, and
//     re-signing is not needed to reproduce the file (the file's bytes are kept as given);
//   * the binding it derives encodes (EnvelopeInfo accepts every parsed payload);
//   * owner verification under the envelope's own keys answers without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/provision/binding.h"
#include "vouch/provision/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  auto env = provision::Envelope::Parse(ByteSpan(data, size));
  if (!env.ok()) {
    const std::string& reason = env.status().reason();
    if (env.status().code() != StatusCode::kInvalidArgument ||
        (reason != provision::kReasonEnvelopeMalformed &&
         reason != provision::kReasonEnvelopeUnsupported)) {
      std::abort();
    }
    return 0;
  }
  if (!EqualBytes(env->bytes(), ByteSpan(data, size))) std::abort();
  auto encoded = provision::EncodeEnvelopePayload(env->payload());
  if (!encoded.ok() || !EqualBytes(*encoded, env->payload_bytes())) std::abort();
  if (!provision::EnvelopeInfo(env->payload().Binding()).ok()) std::abort();
  dsse::KeySet owners;
  for (const govern::Key& k : env->payload().owner_keys) owners.Add(k.key);
  (void)env->VerifyOwners(owners);
  return 0;
}
