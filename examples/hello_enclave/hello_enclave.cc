// A tiny enclave program: started by `vouch enclave run BUNDLE`, it asks the platform (chosen by
// the environment, docs/platform.md) for its identity, makes a quote over report data, and
// seals and unseals a value. It links libvouch and nothing else.
//
//   hello_enclave [--report-data HEX] [--quote-out FILE] [--seal-out FILE] [--unseal FILE]
//
// --seal-out writes the sealed value so that a later run (for example of a newer SVN) can
// --unseal it. Exit codes: 0 ok; 1 a check failed; 2 bad usage; 3 platform or I/O error.
#include <cstdio>
#include <cstring>
#include <string>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/platform/platform.h"
#include "vouch/seal/seal.h"

namespace {

int Fail(int code, const std::string& what, const vouch::Status& status) {
  std::fprintf(stderr, "hello_enclave: %s: %s\n", what.c_str(), status.ToString().c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): example main
  std::string report_hex, quote_out, seal_out, unseal_in;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: hello_enclave [--report-data HEX] [--quote-out FILE] "
                   "[--seal-out FILE] [--unseal FILE]\n");
      return 2;
    }
    std::string value = argv[++i];
    if (arg == "--report-data")
      report_hex = value;
    else if (arg == "--quote-out")
      quote_out = value;
    else if (arg == "--seal-out")
      seal_out = value;
    else if (arg == "--unseal")
      unseal_in = value;
    else {
      std::fprintf(stderr, "hello_enclave: unknown option %s\n", arg.c_str());
      return 2;
    }
  }

  auto platform = platform::Platform::FromEnvironment();
  if (!platform.ok()) return Fail(3, "no platform", platform.status());
  platform::Platform& p = **platform;
  const platform::EnclaveIdentity& id = p.identity();
  std::printf("platform:    %s (mode %s)\n", std::string(p.name()).c_str(),
              std::string(EnclaveModeName(p.mode())).c_str());
  std::printf("mr_enclave:  %s\n", HexEncode(id.mr_enclave).c_str());
  std::printf("mr_signer:   %s\n", HexEncode(id.mr_signer).c_str());
  std::printf("product_id:  %u\nisv_svn:     %u\ndebug:       %s\n", id.product_id, id.isv_svn,
              id.debug() ? "true" : "false");

  // Evidence over the report data (default: SHA-256 of a greeting, zero-padded).
  platform::ReportData rd{};
  if (!report_hex.empty()) {
    auto bytes = HexDecode(report_hex);
    if (!bytes.ok() || bytes->size() > rd.size()) {
      std::fprintf(stderr, "hello_enclave: --report-data must be at most 64 bytes of hex\n");
      return 2;
    }
    std::copy(bytes->begin(), bytes->end(), rd.begin());
  } else {
    Sha256Digest d = Sha256(AsBytes("hello from a vouch enclave"));
    std::copy(d.begin(), d.end(), rd.begin());
  }
  auto quote = p.Quote(rd);
  if (!quote.ok()) return Fail(3, "quote", quote.status());
  std::printf("quote:       %zu bytes over report data %s\n", quote->size(),
              HexEncode(ByteSpan(rd).first(16)).c_str());
  if (!quote_out.empty()) {
    if (Status s = WriteFileAtomic(quote_out, *quote); !s.ok()) return Fail(3, "write", s);
  }

  // Seal and unseal a value under the MRSIGNER policy, so that a later build of the same
  // signer and product with an equal or higher SVN can --unseal it.
  auto sealer = seal::Sealer::Create(p);
  if (!sealer.ok()) return Fail(3, "sealer", sealer.status());
  SecretBytes value(AsBytes("hello, sealed world"));
  auto blob = sealer->Seal(platform::SealPolicy::kMrSigner, value.Reveal(), AsBytes("hello"));
  if (!blob.ok()) return Fail(3, "seal", blob.status());
  auto back = sealer->Unseal(*blob, AsBytes("hello"));
  if (!back.ok() || !(*back == value)) {
    return Fail(1, "unseal", back.ok() ? vouch::InternalError("wrong value") : back.status());
  }
  std::printf("seal:        %zu-byte blob, unsealed ok\n", blob->size());
  if (!seal_out.empty()) {
    if (Status s = WriteFileAtomic(seal_out, *blob, 0600); !s.ok()) return Fail(3, "write", s);
  }
  if (!unseal_in.empty()) {
    auto old = ReadFile(unseal_in);
    if (!old.ok()) return Fail(3, "read", old.status());
    auto opened = sealer->Unseal(*old, AsBytes("hello"));
    if (!opened.ok()) return Fail(1, "unseal " + unseal_in, opened.status());
    std::printf("unsealed:    %s\n", std::string(AsStringView(opened->Reveal())).c_str());
  }
  return 0;
}
