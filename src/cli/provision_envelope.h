// What `vouch provision envelope` and `vouch provision recover` share: the options of
// spec/provisioning.md §2.4 and its steps 1–7 for a prepared secret (the inner plaintext, drawn
// fresh by `envelope`, recovered by `recover`), then the file written and reported.
#ifndef VOUCH_CLI_PROVISION_ENVELOPE_H_
#define VOUCH_CLI_PROVISION_ENVELOPE_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/log_common.h"
#include "vouch/base/time.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/signer.h"
#include "vouch/http/http_client.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/inner.h"
#include "vouch/server/log_client.h"

namespace vouch::cli {

// §2.4's options other than the target's constraint and the secret.
struct TargetOptions {
  std::string broker;
  std::string out;
  std::vector<std::string> keys;
  LedgerTrust ledger;
  std::string collateral;
  std::string max_checkpoint_age = "PT5M";
  std::string expires;
  std::string activity;
  bool allow_unadmitted = false;
  std::vector<std::string> recovery;
  size_t threshold = 0;
  std::string broker_pin;
  int timeout = 30;
  bool force = false;
  bool json = false;
  bool verbose = false;
};

// Registers TargetOptions on `cmd` (--broker, --out and --key required).
void AddTargetOptions(CLI::App* cmd, TargetOptions* o);

// An envelope made and signed, not yet written, and what was learnt on the way.
struct MadeEnvelope {
  provision::Envelope envelope;
  std::vector<std::unique_ptr<LocalSigningKey>> owners;  // the --key signers
  std::string broker_keyid;
  Sha256Hash broker_mrenclave{};
  std::string ledger_origin;
  uint64_t ledger_size = 0;
  size_t custodians = 0;
  server::LogClient log;  // connected to --log (through the caller's HttpClient)
};

// The secret to seal, prepared once the usage checks passed: on success sets *inner and returns
// kExitOk, else reports the failure and returns its exit code.
using PrepareInner = std::function<int(std::optional<provision::Inner>* inner)>;

// Runs §2.4 steps 1–7 for `constraint`: the usage checks, then `prepare`, the owner's check of
// the broker, the ledger, the admission rule and the activity's record, then the seal, the
// recovery split and the owners' signatures. On success sets *made and returns kExitOk;
// otherwise reports the failure and returns its exit code. `http` must outlive *made.
int MakeTargetEnvelope(const TargetOptions& o, const std::string& constraint,
                       const PrepareInner& prepare, http::HttpClient& http,
                       std::optional<MadeEnvelope>* made);

// Writes the envelope to o.out (0644) and reports it; `extra` fields are added to --json output
// and `extra_text` lines to the text.
int WriteMadeEnvelope(const TargetOptions& o, const MadeEnvelope& made, const Json& extra,
                      const std::string& extra_text);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_PROVISION_ENVELOPE_H_
