// The root enclave's HTTP service (spec/governance.md §3.3; docs/root.md): a root runs as an
// enclave, holds its Ed25519 key sealed to its MRENCLAVE (server/enclave_key.h) and publishes
// the key's binding to its measurement:
//
//   GET /identity   {"platform","mode","identity","key":{"keyid","spki"},"keyid",
//                    "binding":{"tag","report_data","evidence_format","quote"}}
//
// The quote is made once, at creation, over KeyBindingReportData("vouch-root-key/v1", SPKI):
// the identity does not change while the process runs. Signing (POST /sign) and the startup
// self-check are not part of this service yet; Routes() is where they are added.
//
// Thread-safe: the answers are computed at creation.
#ifndef VOUCH_SERVER_ROOT_SERVICE_H_
#define VOUCH_SERVER_ROOT_SERVICE_H_

#include <memory>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"
#include "vouch/platform/platform.h"
#include "vouch/server/enclave_key.h"

namespace vouch::server {

// The sealed key's file name in a root's data directory.
inline constexpr char kRootKeyFileName[] = "root-key.sealed";
// The purpose the root key is sealed for (enclave_key.h).
inline constexpr char kRootKeyPurpose[] = "root";

class RootService {
 public:
  // Loads or creates the root key in `data_dir`/root-key.sealed on `platform` (the errors of
  // EnclaveKey::LoadOrCreate) and quotes its binding (the platform's errors).
  // REQUIRES: `data_dir` exists and is this process's (ServiceRunner::OpenDataDir).
  static StatusOr<std::unique_ptr<RootService>> Create(std::unique_ptr<platform::Platform> platform,
                                                       const std::string& data_dir);

  RootService(const RootService&) = delete;
  RootService& operator=(const RootService&) = delete;

  const platform::Platform& platform() const { return *platform_; }
  const EnclaveKey& key() const { return *key_; }
  // The quote binding key() to platform().identity().
  const Bytes& binding_quote() const { return quote_; }
  // The body of GET /identity.
  const std::string& identity_json() const { return identity_json_; }

  // GET /identity.
  http::HttpResponse GetIdentity(const http::HttpRequest& request) const;
  // Every endpoint, for HttpServer::Start. The service must outlive the router.
  http::Router Routes() const;

 private:
  RootService(std::unique_ptr<platform::Platform> platform, std::unique_ptr<EnclaveKey> key,
              Bytes quote);

  // Declared in this order: the key borrows the platform.
  const std::unique_ptr<platform::Platform> platform_;
  const std::unique_ptr<EnclaveKey> key_;
  const Bytes quote_;
  const std::string identity_json_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_ROOT_SERVICE_H_
