// An enclave program that gets its database password from the owner through the secret broker
// (docs/broker.md, "The enclave side"): on its first start it fetches the password — a challenge,
// a fresh key and a quote made here, the broker's release, checked and opened inside — and seals
// it to its own measurement; on every later start it unseals it, with no broker. The host sees
// neither the password nor anything that opens it. It links libvouch and nothing else.
//
//   provisioned_enclave --envelope ENV --state DIR [--broker URL] [--anchors FILE]
//
// ENV is the owner's envelope (`vouch provision envelope`, made before this enclave ever ran);
// DIR holds DIR/db-password.sealed. --broker is needed on the first start only; --anchors (the
// owner's keys, provision-anchors.json) makes the enclave check that the owner made ENV. The
// password is "used" by printing its length and a digest prefix — never the password itself.
// Exit codes: 0 ok; 1 refused (the broker's or the envelope's code is printed); 2 bad usage;
// 3 platform, network or I/O error.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/http/http_client.h"
#include "vouch/platform/platform.h"
#include "vouch/provision/anchors.h"
#include "vouch/provision/envelope.h"
#include "vouch/seal/seal.h"
#include "vouch/server/broker_client.h"
#include "vouch/server/fetch_secret.h"

namespace {

using namespace vouch;  // NOLINT(google-build-using-namespace): example program

int Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "provisioned_enclave: %s: %s\n", what.c_str(), status.ToString().c_str());
  const StatusCode c = status.code();
  return c == StatusCode::kPermissionDenied || c == StatusCode::kFailedPrecondition ||
                 c == StatusCode::kInvalidArgument
             ? 1
             : 3;
}

// What the program does with its password: here, say that it has one.
void Use(const char* start, const SecretBytes& password) {
  const Sha256Digest d = Sha256(password.Reveal());
  std::printf("%s: database password ready (%zu bytes, sha256 %s...)\n", start, password.size(),
              HexEncode(d).substr(0, 16).c_str());
}

// First start: the password from the broker, sealed to this enclave into `sealed_path`.
int FirstStart(platform::Platform& platform, const provision::Envelope& envelope,
               const std::string& broker_url, const std::string& anchors_path,
               const std::string& sealed_path) {
  std::optional<provision::Anchors> anchors;
  if (!anchors_path.empty()) {
    auto file = ReadFile(anchors_path);
    if (!file.ok()) return Fail("cannot read " + anchors_path, file.status());
    auto parsed = provision::Anchors::Parse(*file);
    if (!parsed.ok()) return Fail("bad anchors " + anchors_path, parsed.status());
    anchors.emplace(*std::move(parsed));
  }
  http::HttpClient http;
  auto broker = server::BrokerClient::Create(broker_url, http, std::chrono::seconds(30));
  if (!broker.ok()) return Fail("bad --broker", broker.status());
  server::FetchOptions options;
  options.anchors = anchors ? &*anchors : nullptr;
  auto fetched = server::FetchSecret(platform, *broker, envelope, options);
  if (!fetched.ok()) return Fail("the broker did not release the password", fetched.status());
  // Written before the password is used: a crash after this start still finds it sealed.
  if (Status s = WriteFileAtomic(sealed_path, fetched->sealed, 0600); !s.ok()) {
    return Fail("cannot write " + sealed_path, s);
  }
  std::printf("first start: fetched from the broker (release %s, record %llu) and sealed to %s\n",
              HexEncode(fetched->release_id).c_str(),
              static_cast<unsigned long long>(fetched->record_index), sealed_path.c_str());
  Use("first start", fetched->secret);
  return 0;
}

// Later starts: the sealed password, opened by this enclave only; no broker.
int LaterStart(const platform::Platform& platform, const provision::Envelope& envelope,
               const std::string& sealed_path) {
  auto blob = ReadFile(sealed_path);
  if (!blob.ok()) return Fail("cannot read " + sealed_path, blob.status());
  auto password = seal::Unseal(platform, *blob, server::ProvisionedAad(envelope.payload().id));
  if (!password.ok()) return Fail("cannot unseal " + sealed_path, password.status());
  std::printf("later start: unsealed %s, no broker needed\n", sealed_path.c_str());
  Use("later start", *password);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string envelope_path, state_dir, broker_url, anchors_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: provisioned_enclave --envelope ENV --state DIR [--broker URL] "
                   "[--anchors FILE]\n");
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--envelope") {
      envelope_path = value;
    } else if (arg == "--state") {
      state_dir = value;
    } else if (arg == "--broker") {
      broker_url = value;
    } else if (arg == "--anchors") {
      anchors_path = value;
    } else {
      std::fprintf(stderr, "provisioned_enclave: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  if (envelope_path.empty() || state_dir.empty()) {
    std::fprintf(stderr, "provisioned_enclave: --envelope and --state are required\n");
    return 2;
  }
  auto platform = platform::Platform::FromEnvironment();
  if (!platform.ok())
    return Fail("no platform (run it with `vouch enclave run`)", platform.status());
  auto bytes = ReadFile(envelope_path, provision::kMaxEnvelopeFileSize + 1);
  if (!bytes.ok()) return Fail("cannot read " + envelope_path, bytes.status());
  auto envelope = provision::Envelope::Parse(*bytes);
  if (!envelope.ok()) return Fail("bad envelope " + envelope_path, envelope.status());

  const std::string sealed_path = state_dir + "/db-password.sealed";
  struct stat st {};
  if (::stat(sealed_path.c_str(), &st) == 0) return LaterStart(**platform, *envelope, sealed_path);
  if (broker_url.empty()) {
    std::fprintf(stderr,
                 "provisioned_enclave: %s does not exist yet: the first start needs --broker\n",
                 sealed_path.c_str());
    return 2;
  }
  return FirstStart(**platform, *envelope, broker_url, anchors_path, sealed_path);
}
