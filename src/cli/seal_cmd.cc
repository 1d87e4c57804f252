// `vouch seal` and `vouch unseal`: seal data to a signed bundle's identity on the simulated
// platform, and open it again (docs/sealing.md). Thin: parse arguments, call vouch::seal.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_common.h"
#include "cli/platform_common.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/seal/seal.h"

namespace vouch::cli {
namespace {

constexpr size_t kMaxSealInput = size_t{256} << 20;

constexpr const char kSealFooter[] =
    "Exit codes: 0 ok; 1 the blob was examined and refused (another enclave, product, platform,\n"
    "a higher SVN, tampered or truncated) or the bundle's signature is invalid; 2 bad usage\n"
    "(including OUT - with --json: the data and the JSON object would share stdout),\n"
    "malformed manifest, unsigned bundle, no simulated platform; 3 I/O error.\n"
    "--json error codes: sealed_blob_malformed, seal_identity_mismatch, seal_product_mismatch,\n"
    "seal_svn_too_new, seal_open_failed (docs/sealing.md, docs/error-codes.md).";

struct SealOptions {
  std::string bundle;
  std::string policy;
  std::string sim_dir;
  std::string aad;
  std::string in;
  std::string out;
  bool json = false;
};

int Run(const SealOptions& opts, bool sealing) {
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "OUT"); rc != kExitOk) return rc;
  std::optional<platform::SealPolicy> policy;
  if (sealing) {
    policy = platform::SealPolicyFromName(opts.policy);
    if (!policy) {
      return ReportFailure(opts.json, codes::kUsage, "bad --policy",
                           "must be mrenclave or mrsigner");
    }
  }
  auto bundle = LoadSignedBundle(opts.bundle);
  if (!bundle.ok()) return ReportStatus(opts.json, "cannot use bundle", bundle.status());
  auto p = OpenSimPlatform(ResolveSimDir(opts.sim_dir), bundle->identity);
  if (!p.ok()) return ReportStatus(opts.json, "cannot open simulated platform", p.status());
  Bytes input;
  if (int rc = ReadInputFile(opts.json, opts.in, kMaxSealInput, &input); rc != kExitOk) return rc;
  auto sealer = seal::Sealer::Create(**p);
  if (!sealer.ok()) return ReportStatus(opts.json, "internal error", sealer.status());
  Json j;
  platform::SealPolicy used = platform::SealPolicy::kMrEnclave;  // the blob's policy
  uint16_t min_svn = bundle->identity.isv_svn;  // the lowest ISV SVN that can unseal it
  if (sealing) {
    used = *policy;
    SecretBytes plaintext(input);
    SecureWipe(input.data(), input.size());
    auto blob = sealer->Seal(*policy, plaintext.Reveal(), AsBytes(opts.aad));
    if (!blob.ok()) return ReportStatus(opts.json, "cannot seal", blob.status());
    Status written = WriteOutput(opts.out, *blob, 0600);
    if (!written.ok()) return ReportStatus(opts.json, "cannot write", written);
    j["sealed"] = opts.out;
    j["policy"] = platform::SealPolicyName(*policy);
    j["size"] = blob->size();
  } else {
    auto plaintext = sealer->Unseal(input, AsBytes(opts.aad));
    if (!plaintext.ok()) {
      return ReportStatus(opts.json, "cannot unseal " + opts.in, plaintext.status());
    }
    Status written = WriteOutput(opts.out, plaintext->Reveal(), 0600);
    if (!written.ok()) return ReportStatus(opts.json, "cannot write", written);
    auto header = seal::SealedBlobHeader::Parse(input);
    used = header->policy;
    min_svn = header->isv_svn;
    j["unsealed"] = opts.out;
    j["policy"] = platform::SealPolicyName(header->policy);
    j["sealed_by_isv_svn"] = header->isv_svn;
    j["size"] = plaintext->size();
  }
  j["mr_enclave"] = HexEncode(bundle->identity.mr_enclave);
  j["mr_signer"] = HexEncode(bundle->identity.mr_signer);
  j["product_id"] = bundle->identity.product_id;
  j["isv_svn"] = bundle->identity.isv_svn;
  if (opts.json) {
    PrintJsonResult(kVerdictOk, j);
  } else if (opts.out != "-") {
    // Who can open the blob, as its policy says.
    const platform::EnclaveIdentity& id = bundle->identity;
    std::cerr << (sealing ? "sealed " : "unsealed ") << j["size"].get<size_t>() << " bytes to "
              << opts.out << " ("
              << (used == platform::SealPolicy::kMrSigner
                      ? "policy mrsigner: MRSIGNER " + HexEncode(id.mr_signer).substr(0, 16) +
                            "..., product " + std::to_string(id.product_id) +
                            ", ISV SVN >= " + std::to_string(min_svn)
                      : "policy mrenclave: MRENCLAVE " + HexEncode(id.mr_enclave).substr(0, 16) +
                            "...")
              << ")\n";
  }
  return kExitOk;
}

void AddCommon(CLI::App* cmd, SealOptions& opts) {
  cmd->add_option("--bundle", opts.bundle, "Signed enclave bundle whose identity to act as")
      ->required();
  cmd->add_option("--sim-dir", opts.sim_dir,
                  "Simulated platform (default: $VOUCH_SIM_DIR, else ~/.local/share/vouch/sim)");
  cmd->add_option("--aad", opts.aad, "Associated data (text) bound to the blob; default empty");
  cmd->add_option("IN", opts.in, "Input file (- for standard input)")->required();
  cmd->add_option("OUT", opts.out, "Output file, written 0600 (- for standard output)")->required();
  cmd->add_flag("--json", opts.json, "Print one JSON object");
  cmd->footer(kSealFooter);
}

}  // namespace

void RegisterSealCommands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<SealOptions>();
  CLI::App* seal =
      app.add_subcommand("seal", "Seal data to a signed bundle's identity (simulated)");
  SetLongDescription(
      seal,
      "Seals IN to the identity of a signed enclave bundle on the simulated platform, as that\n"
      "enclave would: AES-256-GCM under a key derived from the platform secret and the\n"
      "identity, with a self-describing header (docs/sealing.md).\n"
      "  --policy mrenclave  only the same measurement can unseal\n"
      "  --policy mrsigner   the same signer and product with an ISV SVN >= this bundle's");
  AddCommon(seal, *opts);
  seal->add_option("--policy", opts->policy, "mrenclave or mrsigner")->required();
  seal->callback([opts, &ctx] { ctx.exit_code = Run(*opts, true); });

  CLI::App* unseal = app.add_subcommand("unseal", "Unseal data as a signed bundle's identity");
  SetLongDescription(
      unseal,
      "Opens a sealed blob as the identity of a signed enclave bundle on the simulated\n"
      "platform. Refused (exit 1) unless the blob's policy identity and product match, its SVN\n"
      "is not above the bundle's, it was sealed on this platform, and it is intact.");
  AddCommon(unseal, *opts);
  unseal->callback([opts, &ctx] { ctx.exit_code = Run(*opts, false); });
}

}  // namespace vouch::cli
