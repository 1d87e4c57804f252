// The root enclave's HTTP service (spec/governance.md §3.3, §5.1; docs/root.md): a root runs as
// an enclave, holds its Ed25519 key sealed to its MRENCLAVE (server/enclave_key.h), publishes
// the key's binding to its measurement, and countersigns what it has checked itself
// (server/root_signer.h):
//
//   GET /identity   {"platform","mode","identity","key":{"keyid","spki"},"keyid",
//                    "binding":{"tag","report_data","evidence_format","quote",
//                               "collateral":{"<file name>":"<base64>",…}},
//                    "status":{"signing","bootstrap","check","message","checked_size",
//                              "checked_at","admitted_by":{"index","sha256"}|null,"receipt"}}
//   POST /sign      the exchange of root_client.h: 200 a signature; 415 not
//                   application/vnd.in-toto+json; 413 over 65,535 bytes (the server's limit);
//                   429 over the rate limit (Retry-After: 1); 422 a rule refuses it; 503
//                   self_check_failed, or the ledger cannot be read now
//
// The binding quote is made once, at creation, over KeyBindingReportData("vouch-root-key/v1",
// SPKI); binding.collateral holds the files of a collateral directory (sgx::CollateralFiles) of
// what options.collateral gave at creation, absent if it gave none. Create runs the self-check
// (fail closed: its failure is returned, unless bootstrapping and the ledger has no root set) and
// then re-runs it every `recheck_interval` on a thread of its own until the service is destroyed; a
// failing check stops signing until one passes.
//
// Thread-safe.
#ifndef VOUCH_SERVER_ROOT_SERVICE_H_
#define VOUCH_SERVER_ROOT_SERVICE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"
#include "vouch/platform/platform.h"
#include "vouch/server/enclave_key.h"
#include "vouch/server/root_signer.h"

namespace vouch::server {

// The sealed key's file name in a root's data directory.
inline constexpr char kRootKeyFileName[] = "root-key.sealed";
// The sealed high-water mark's file name there (RootSignerOptions::high_water_mark_path).
inline constexpr char kRootHighWaterMarkFileName[] = "high-water-mark.sealed";
// The purpose the root key is sealed for (enclave_key.h).
inline constexpr char kRootKeyPurpose[] = "root";

namespace internal {
struct RootServiceState;
}  // namespace internal

struct RootServiceOptions {
  // Where the root reads the ledger. REQUIRES: non-null; borrowed, must outlive the service.
  ledger::ReceiptFetcher* log = nullptr;
  // The witness policy, pin, freshness bounds and clock of every view of the ledger.
  LedgerViewOptions ledger;
  // Verifies the root's own quote with the collateral `collateral` gives (self-check step 2).
  // REQUIRES: non-null; borrowed.
  const sgx::DcapVerifier* verifier = nullptr;
  CollateralSource collateral;
  // Attests the evidence of a proposed root set's roots (RootSignerOptions). Borrowed.
  govern::EvidenceAttester* attester = nullptr;
  // Self-check step 1 at every recheck (the service runner ran it before the start).
  std::function<Status()> integrity_check;
  bool bootstrap = false;
  // RootSignerOptions::high_water_mark_path (`serve root`: DATA/kRootHighWaterMarkFileName).
  std::string high_water_mark_path;
  std::chrono::milliseconds recheck_interval{60'000};
  // POST /sign: `sign_rate` proposals a second on average, in bursts of at most `sign_burst`
  // (one KeyedRateLimiter bucket for all callers; Create refuses a rate <= 0 or a burst < 1 with
  // its kInvalidArgument "rate_limiter_options").
  double sign_rate = 10;
  double sign_burst = 20;
  // Told every self-check outcome that differs from the previous one (for the service's log).
  std::function<void(const Status&)> on_check;
};

class RootService {
 public:
  // The service of `key` (EnclaveKey::LoadOrCreate of DATA/root-key.sealed on `platform`, purpose
  // kRootKeyPurpose): quotes the key's binding (the platform's errors), runs the self-check
  // (RootSigner::Create: its failure, e.g. "no_root_set", "self_not_admitted") and starts the
  // rechecks. REQUIRES: `key` was loaded on `*platform`.
  static StatusOr<std::unique_ptr<RootService>> Create(std::unique_ptr<platform::Platform> platform,
                                                       std::unique_ptr<EnclaveKey> key,
                                                       RootServiceOptions options);
  ~RootService();
  RootService(const RootService&) = delete;
  RootService& operator=(const RootService&) = delete;

  const platform::Platform& platform() const { return *platform_; }
  const EnclaveKey& key() const { return *key_; }
  // The quote binding key() to platform().identity().
  const Bytes& binding_quote() const { return quote_; }
  // The body of GET /identity.
  const std::string& identity_json() const { return identity_json_; }

  const RootSigner& signer() const { return *signer_; }

  // GET /identity.
  http::HttpResponse GetIdentity(const http::HttpRequest& request) const;
  // POST /sign.
  http::HttpResponse PostSign(const http::HttpRequest& request);
  // Every endpoint, for HttpServer::Start. The service must outlive the router.
  http::Router Routes();

 private:
  RootService(std::unique_ptr<platform::Platform> platform, std::unique_ptr<EnclaveKey> key,
              Bytes quote, RootServiceOptions options);

  // Declared in this order: the key borrows the platform, the signer the key, the rechecks the
  // signer (destroyed first: the thread stops before the signer goes).
  const std::unique_ptr<platform::Platform> platform_;
  const std::unique_ptr<EnclaveKey> key_;
  const Bytes quote_;
  const std::string identity_json_;
  const RootServiceOptions options_;
  std::unique_ptr<RootSigner> signer_;
  std::unique_ptr<internal::RootServiceState> state_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_ROOT_SERVICE_H_
