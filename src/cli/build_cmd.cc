// `vouch build attest`: the signed SLSA Provenance v1 statement of an enclave build
// (spec/governance.md §3.1, docs/formats/statements.md). Thin: parse arguments, call
// vouch::build, format.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/govern_common.h"
#include "vouch/base/encoding.h"
#include "vouch/build/attest.h"
#include "vouch/crypto/signer.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct BuildOptions {
  std::string artifact;
  std::string source;
  std::string ref;
  std::string target;
  std::string toolchain;
  std::vector<std::string> sboms;
  std::string builder_id;
  std::string key;
  std::string out;
  std::string finished_on;
  std::string started_on;
  std::string invocation_id;
  bool json = false;
};

constexpr const char kAttestHelp[] =
    "Measures an enclave build and writes its signed provenance (a canonical ledger entry):\n"
    "SLSA Provenance v1 with buildType https://vouch.invalid/buildtypes/enclave-bundle/v1.\n"
    "BUNDLE is a bundle directory (vouch-enclave/1: subject digest = SHA-256 of its canonical\n"
    "page image, MRENCLAVE as `vouch measure` computes it, MRSIGNER when it is signed) or an SGX\n"
    "SIGSTRUCT file (sgx-sigstruct, e.g. Gramine's: digest of the file, MRENCLAVE = ENCLAVEHASH).\n"
    "--toolchain is the toolchain manifest "
    "{\"format\":\"vouch-toolchain/1\",\"components\":[...]}\n"
    "(docs/formats/statements.md); --sbom adds SPDX or CycloneDX JSON documents as byproducts\n"
    "([NAME=]FILE; the name defaults to spdx or cyclonedx). Two independent builders attest\n"
    "the same commit; an admission references both entries.";

constexpr const char kAttestFooter[] =
    "Exit codes: 0 written; 1 the bundle's signature does not match it; 2 bad usage or a\n"
    "malformed bundle, manifest, toolchain manifest, SBOM or key; 3 I/O error.";

std::string Basename(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int RunAttest(const BuildOptions& opts) {
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "--out"); rc != kExitOk) return rc;
  auto source = build::ParseSource(opts.source);
  if (!source.ok()) return ReportStatus(opts.json, kExitUsage, "bad --source", source.status());
  auto finished = TimeArgOrNow(opts.finished_on);
  if (!finished.ok()) {
    return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --finished-on",
                         finished.status().message());
  }
  build::AttestRequest req;
  req.artifact_path = opts.artifact;
  req.target = opts.target.empty() ? Basename(opts.artifact) : opts.target;
  req.repository = source->first;
  req.git_commit = source->second;
  req.ref = opts.ref;
  req.toolchain_path = opts.toolchain;
  for (const std::string& s : opts.sboms) {
    size_t eq = s.find('=');
    if (eq != std::string::npos && s.find('/') > eq) {
      req.sboms.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    } else {
      req.sboms.emplace_back("", s);
    }
  }
  req.builder_id = opts.builder_id;
  req.finished_on = *finished;
  if (!opts.started_on.empty()) {
    auto started = ParseTimeArg(opts.started_on);
    if (!started.ok()) {
      return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --started-on",
                           started.status().message());
    }
    req.started_on = *started;
  }
  if (!opts.invocation_id.empty()) req.invocation_id = opts.invocation_id;
  auto key = ReadSigningKeyFile(opts.key);
  if (!key.ok()) return ReportStatus(opts.json, kExitUsage, "unusable --key", key.status());
  auto entry = build::AttestBuild(req, **key);
  if (!entry.ok()) {
    int rc = entry.status().code() == StatusCode::kPermissionDenied ? kExitRejected : kExitUsage;
    return ReportStatus(opts.json, rc, "cannot attest " + opts.artifact, entry.status());
  }
  Status written = WriteOutput(opts.out, entry->bytes());
  if (!written.ok()) return ReportStatus(opts.json, kExitIo, "cannot write " + opts.out, written);
  auto st = govern::ParseStatement(entry->payload());
  const auto& p = std::get<govern::Provenance>(st->predicate);
  if (opts.json) {
    Json out;
    out["out"] = opts.out;
    out["target"] = p.target;
    out["bundle_format"] = p.bundle_format;
    out["sha256"] = HexEncode(p.artifact_sha256);
    out["mrenclave"] = HexEncode(p.mrenclave);
    out["mrsigner"] = p.mrsigner ? Json(HexEncode(*p.mrsigner)) : Json(nullptr);
    out["entry_hash"] = HexEncode(entry->entry_hash());
    out["keyid"] = entry->signatures()[0].keyid;
    PrintJsonResult(kVerdictOk, out);
  } else if (opts.out != "-") {
    std::cout << "provenance: " << opts.out << " (" << entry->bytes().size() << " bytes)\n"
              << "target:     " << p.target << " (" << p.bundle_format << "), sha256 "
              << HexEncode(p.artifact_sha256) << "\n"
              << "MRENCLAVE:  " << HexEncode(p.mrenclave) << "\n"
              << "source:     " << p.repository << " " << p.git_commit << " (" << p.ref << ")\n"
              << "builder:    " << p.builder_id << ", key " << entry->signatures()[0].keyid << "\n"
              << "entry_hash: " << HexEncode(entry->entry_hash()) << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterBuildCommands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* build = app.add_subcommand("build", "Build provenance for enclave bundles");
  build->require_subcommand(1);
  build->footer(kExitCodesHelp);
  CLI::App* attest = build->add_subcommand("attest", "Write the signed provenance of a build");
  SetLongDescription(attest, kAttestHelp);
  attest->footer(kAttestFooter);
  attest->add_option("BUNDLE", opts->artifact, "Bundle directory or SIGSTRUCT file")->required();
  attest->add_option("--source", opts->source, "REPOSITORY_URL@COMMIT built")->required();
  attest->add_option("--ref", opts->ref, "The ref the build was asked for (default: the commit)");
  attest->add_option("--target", opts->target, "Target name (default: the bundle's name)");
  attest->add_option("--toolchain", opts->toolchain, "Toolchain manifest (JSON)")->required();
  attest->add_option("--sbom", opts->sboms, "[NAME=]FILE: an SPDX or CycloneDX JSON SBOM");
  attest->add_option("--builder-id", opts->builder_id, "This builder's id (URI)")->required();
  attest->add_option("--key", opts->key, "Builder's private key (PKCS#8 PEM)")->required();
  attest->add_option("--out", opts->out, "Entry file to write (- for stdout)")->required();
  attest->add_option("--finished-on", opts->finished_on, "Build end time (default: now)");
  attest->add_option("--started-on", opts->started_on, "Build start time");
  attest->add_option("--invocation-id", opts->invocation_id, "The build's id at the builder");
  attest->add_flag("--json", opts->json, "Print one JSON object");
  attest->callback([opts, &ctx] { ctx.exit_code = RunAttest(*opts); });
}

}  // namespace vouch::cli
