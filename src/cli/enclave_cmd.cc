// `vouch measure` and `vouch enclave keygen|sign|run|quote`: enclave bundles, their MRENCLAVE
// (docs/measurement.md), SGX SIGSTRUCTs, and running a bundle as a simulated enclave
// (docs/platform.md). Thin: parse arguments, call vouch::platform / vouch::sgx, format.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/platform_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/time.h"
#include "vouch/crypto/rsa.h"
#include "vouch/platform/bundle.h"
#include "vouch/sgx/sigstruct.h"

namespace vouch::cli {
namespace {

constexpr const char kMeasureHelp[] =
    "Prints the MRENCLAVE of an enclave bundle, computed with SGX's own ECREATE/EADD/EEXTEND\n"
    "records over its canonical page image (docs/measurement.md), and its MRSIGNER when the\n"
    "bundle is signed (vouch-enclave.sig). With --sigstruct instead reads a real SGX SIGSTRUCT\n"
    "(1808 bytes, as the SGX SDK's sgx_sign or Gramine's gramine-sgx-sign write it), checks its\n"
    "RSA-3072 (exponent 3) PKCS#1 v1.5 SHA-256 signature and Q1/Q2, and prints MRENCLAVE\n"
    "(ENCLAVEHASH), MRSIGNER (SHA-256 of the modulus as stored), ISVPRODID, ISVSVN and the\n"
    "attributes.";

constexpr const char kMeasureFooter[] =
    "Exit codes: 0 measured (an unsigned bundle is fine); 1 the SIGSTRUCT, or the bundle's\n"
    "signature, is malformed, does not verify or is for another measurement; 2 bad usage or a\n"
    "malformed manifest or bundle; 3 I/O error.";

constexpr const char kEnclaveHelp[] =
    "Enclave bundles: a directory with a manifest vouch-enclave.json and its files\n"
    "(docs/measurement.md). Sign one with an RSA-3072 key with exponent 3 (as SGX requires),\n"
    "then run it as a simulated enclave, or make quotes for it, on this installation's\n"
    "simulated platform (`vouch sim init`). Simulation gives no isolation (docs/platform.md).";

constexpr const char kEnclaveSignFooter[] =
    "Exit codes: 0 signed; 1 the signature just written does not check (report it: a bug);\n"
    "2 bad usage, a key that is not an RSA-3072 exponent-3 PEM key, a malformed manifest or\n"
    "bundle; 3 I/O error.";

constexpr const char kRunFooter[] =
    "Exit codes: the program's own exit code once it runs; before that 1 the bundle's\n"
    "signature is invalid or stale; 2 bad usage, malformed manifest, unsigned bundle, no\n"
    "simulated platform; 3 I/O error (the program cannot be started).";

constexpr const char kQuoteFooter[] =
    "Exit codes: 0 the quote is written; 1 the bundle's signature is invalid or stale; 2 bad\n"
    "usage (bad --report-data), malformed manifest, unsigned bundle, no simulated platform or\n"
    "expired simulated certificates; 3 I/O error.";

struct EnclaveOptions {
  std::string bundle;
  std::string sigstruct;
  std::string key;
  std::string out;
  std::string date;
  std::string sim_dir;
  std::string report_data;
  std::string platform = "sim";
  std::vector<std::string> args;
  bool force = false;
  bool json = false;
};

Json IdentityJson(const platform::EnclaveIdentity& id) {
  Json j;
  j["mr_enclave"] = HexEncode(id.mr_enclave);
  j["mr_signer"] = HexEncode(id.mr_signer);
  j["product_id"] = id.product_id;
  j["isv_svn"] = id.isv_svn;
  j["debug"] = id.debug();
  return j;
}

std::string Hex32(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

int MeasureSigstruct(const EnclaveOptions& opts) {
  auto bytes = ReadFile(opts.sigstruct, 64 * 1024);
  if (!bytes.ok()) return ReportStatus(opts.json, "cannot read SIGSTRUCT", bytes.status());
  auto sig = sgx::Sigstruct::Parse(*bytes);
  if (!sig.ok()) return ReportStatus(opts.json, "rejected SIGSTRUCT", sig.status());
  const sgx::SigstructBody& b = sig->body();
  Json j;
  j["mr_enclave"] = HexEncode(b.enclave_hash);
  j["mr_signer"] = HexEncode(sig->mr_signer());
  j["product_id"] = b.isv_prod_id;
  j["isv_svn"] = b.isv_svn;
  j["debug"] = b.debug();
  j["attributes"] = HexEncode(b.attributes);
  j["attribute_mask"] = HexEncode(b.attribute_mask);
  j["misc_select"] = Hex32(b.misc_select);
  j["misc_mask"] = Hex32(b.misc_mask);
  j["vendor"] = Hex32(b.vendor);
  j["date"] = Hex32(b.date).substr(2);
  j["signature"] = "valid";
  if (opts.json) {
    PrintJsonResult(kVerdictOk, j);
    return kExitOk;
  }
  std::cout << "MRENCLAVE:  " << j["mr_enclave"].get<std::string>() << "\n"
            << "MRSIGNER:   " << j["mr_signer"].get<std::string>() << "\n"
            << "product:    " << b.isv_prod_id << ", ISV SVN " << b.isv_svn
            << (b.debug() ? ", DEBUG" : "") << "\n"
            << "attributes: " << j["attributes"].get<std::string>() << " (mask "
            << j["attribute_mask"].get<std::string>() << ")\n"
            << "misc:       select " << j["misc_select"].get<std::string>() << ", mask "
            << j["misc_mask"].get<std::string>() << "\n"
            << "vendor:     " << j["vendor"].get<std::string>() << ", date "
            << j["date"].get<std::string>() << "\n"
            << "signature:  valid (RSA-3072, exponent 3, Q1/Q2 consistent)\n";
  return kExitOk;
}

int MeasureBundle(const EnclaveOptions& opts) {
  auto bundle = platform::Bundle::Load(opts.bundle);
  if (!bundle.ok()) return ReportStatus(opts.json, "cannot load bundle", bundle.status());
  auto m = bundle->Measure();
  if (!m.ok()) return ReportStatus(opts.json, "cannot measure bundle", m.status());
  const platform::BundleManifest& man = bundle->manifest();
  auto id = bundle->SignedIdentity(*m);
  bool unsigned_bundle = !id.ok() && id.status().reason() == "bundle_unsigned";
  Json j;
  j["mr_enclave"] = HexEncode(m->mr_enclave);
  j["mr_signer"] = id.ok() ? Json(HexEncode(id->mr_signer)) : Json(nullptr);
  j["signature"] = id.ok() ? "valid" : unsigned_bundle ? "none" : "invalid";
  j["product_id"] = man.product_id;
  j["isv_svn"] = man.isv_svn;
  j["debug"] = man.debug;
  j["entry"] = man.entry;
  j["memory_size"] = man.memory_size;
  j["pages"] = m->total_pages;
  j["files"] = Json::array();
  for (const auto& f : m->files) {
    j["files"].push_back({{"name", f.name},
                          {"size", f.size},
                          {"offset", f.offset},
                          {"pages", f.pages},
                          {"secinfo_flags", f.secinfo_flags}});
  }
  const bool signature_failed = !id.ok() && !unsigned_bundle;
  const Failure failure = signature_failed ? ErrorCodeFor(id.status()) : Failure{"", kExitOk};
  if (opts.json) {
    if (signature_failed) return ReportStatus(true, "bad signature", id.status(), "", j);
    PrintJsonResult(kVerdictOk, j);
    return kExitOk;
  }
  std::cout << "MRENCLAVE:  " << HexEncode(m->mr_enclave) << "\n"
            << "MRSIGNER:   "
            << (id.ok() ? HexEncode(id->mr_signer)
                : unsigned_bundle
                    ? "(unsigned: run `vouch enclave sign`)"
                    : "(signature " + failure.code + ": " + id.status().message() + ")")
            << "\n"
            << "product:    " << man.product_id << ", ISV SVN " << man.isv_svn
            << (man.debug ? ", DEBUG" : "") << "\n"
            << "entry:      " << man.entry << "\n"
            << "image:      " << m->total_pages << " pages of " << man.memory_size
            << " bytes (index " << m->index_pages << " page" << (m->index_pages == 1 ? "" : "s")
            << ", " << m->files.size() << " files)\n";
  return failure.exit_code;
}

int RunMeasure(const EnclaveOptions& opts) {
  if (opts.bundle.empty() == opts.sigstruct.empty()) {
    return ReportFailure(opts.json, codes::kUsage, "bad usage",
                         "give either a BUNDLE directory or --sigstruct FILE");
  }
  return opts.sigstruct.empty() ? MeasureBundle(opts) : MeasureSigstruct(opts);
}

int RunEnclaveKeygen(const EnclaveOptions& opts) {
  if (int rc = RefuseKeyOverwrite(opts.json, opts.out, opts.force,
                                  "give another --out, or --force to replace the key (bundles "
                                  "signed with it then need signing again, and their MRSIGNER "
                                  "changes)");
      rc != kExitOk) {
    return rc;
  }
  auto key = RsaPrivateKey::Generate(3072, 3);
  if (!key.ok()) return ReportStatus(opts.json, "key generation failed", key.status());
  auto pem = key->ToPkcs8Pem();
  if (!pem.ok()) return ReportStatus(opts.json, "key encoding failed", pem.status());
  Status written = WriteFileAtomic(opts.out, pem->Reveal(), 0600);
  if (!written.ok()) return ReportStatus(opts.json, "cannot write key", written);
  auto mr_signer = sgx::MrSignerOf(key->public_key());
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"key", opts.out}, {"mr_signer", HexEncode(*mr_signer)}});
  } else {
    std::cout << "key:        " << opts.out << " (RSA-3072, exponent 3, mode 0600)\n"
              << "MRSIGNER:   " << HexEncode(*mr_signer) << "\n";
  }
  return kExitOk;
}

StatusOr<uint32_t> ParseDate(const std::string& text) {
  UnixSeconds t = RealClock().Now();
  if (!text.empty()) {
    auto parsed = ParseRfc3339(text.size() == 10 ? text + "T00:00:00Z" : text);
    if (!parsed.ok()) return InvalidArgumentError("--date must be YYYY-MM-DD");
    t = *parsed;
  }
  CivilDate d = CivilFromDays(t >= 0 ? t / 86400 : (t - 86399) / 86400);
  return sgx::SigstructDate(static_cast<int>(d.year), d.month, d.day);
}

int RunEnclaveSign(const EnclaveOptions& opts) {
  auto date = ParseDate(opts.date);
  if (!date.ok()) {
    return ReportFailure(opts.json, codes::kUsage, "bad --date", date.status().message());
  }
  auto pem = ReadPrivateFile(opts.key, 1 << 20);
  if (!pem.ok()) return ReportStatus(opts.json, "cannot read key", pem.status());
  auto key = RsaPrivateKey::FromPem(AsStringView(pem->Reveal()));
  if (!key.ok()) {
    // OpenSSL's own words ("DECODER routines::unsupported") help nobody here.
    return ReportFailure(opts.json, codes::kKeyMalformed, "unusable --key",
                         opts.key + " is not an RSA private key in PEM",
                         "an enclave signing key is RSA-3072 with exponent 3; make one with "
                         "'vouch enclave keygen --out enclave.pem'");
  }
  auto bundle = platform::Bundle::Load(opts.bundle);
  if (!bundle.ok()) return ReportStatus(opts.json, "cannot load bundle", bundle.status());
  auto m = bundle->Measure();
  if (!m.ok()) return ReportStatus(opts.json, "cannot measure bundle", m.status());
  auto sig = bundle->MakeSigstruct(*m, *key, *date);
  if (!sig.ok()) {
    return ReportFailure(opts.json, codes::kKeyMalformed, "cannot sign", sig.status().message(),
                         "make a key SGX accepts with 'vouch enclave keygen'");
  }
  std::string path = bundle->dir() + "/" + platform::kBundleSignatureName;
  Status written = WriteFileAtomic(path, *sig, 0644);
  if (!written.ok()) return ReportStatus(opts.json, "cannot write signature", written);
  auto id = bundle->SignedIdentity(*m);
  if (!id.ok()) return ReportStatus(opts.json, "signature check failed", id.status());
  if (opts.json) {
    Json j = IdentityJson(*id);
    j["signature"] = path;
    PrintJsonResult(kVerdictOk, j);
  } else {
    std::cout << "signed:     " << path << "\n"
              << "MRENCLAVE:  " << HexEncode(id->mr_enclave) << "\n"
              << "MRSIGNER:   " << HexEncode(id->mr_signer) << "\n"
              << "product:    " << id->product_id << ", ISV SVN " << id->isv_svn
              << (id->debug() ? ", DEBUG" : "") << "\n";
  }
  return kExitOk;
}

int RunRun(const EnclaveOptions& opts) {
  auto bundle = LoadSignedBundle(opts.bundle);
  if (!bundle.ok()) return ReportStatus(false, "cannot start enclave", bundle.status());
  std::string sim_dir = AbsolutePath(ResolveSimDir(opts.sim_dir));
  if (opts.platform == "sim") {
    // Fail here, not in the enclave, when the platform is missing or unusable.
    auto sim = platform::SimInstallation::Open(sim_dir);
    if (!sim.ok()) return ReportStatus(false, "cannot open " + sim_dir, sim.status());
    ::setenv(platform::kEnvSimDir, sim_dir.c_str(), 1);
  } else if (opts.platform != "mock") {
    return ReportFailure(false, codes::kUsage, "bad --platform", "must be sim or mock");
  }
  ::setenv(platform::kEnvPlatform, opts.platform.c_str(), 1);
  ::setenv(platform::kEnvIdentity, bundle->identity.ToJson().c_str(), 1);
  ::setenv("VOUCH_ENCLAVE_BUNDLE", AbsolutePath(bundle->dir).c_str(), 1);
  std::string program = AbsolutePath(bundle->dir + "/" + bundle->manifest.entry);
  std::vector<char*> argv;
  argv.push_back(program.data());
  std::vector<std::string> args = opts.args;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  ::execv(program.c_str(), argv.data());
  return ReportFailure(false, codes::kIoError, "cannot start " + program, std::strerror(errno));
}

int RunQuote(const EnclaveOptions& opts) {
  auto rd_bytes = HexDecode(opts.report_data);
  if (!rd_bytes.ok()) {
    return ReportFailure(
        opts.json, codes::kUsage, "bad --report-data",
        "\"" + opts.report_data + "\" is not hex (" + rd_bytes.status().message() + ")",
        "give up to 128 hex digits, two per byte, e.g. --report-data 00ff");
  }
  if (rd_bytes->size() > 64) {
    return ReportFailure(
        opts.json, codes::kUsage, "bad --report-data",
        "report data is at most 64 bytes; this is " + std::to_string(rd_bytes->size()));
  }
  platform::ReportData rd{};
  std::copy(rd_bytes->begin(), rd_bytes->end(), rd.begin());
  auto bundle = LoadSignedBundle(opts.bundle);
  if (!bundle.ok()) return ReportStatus(opts.json, "cannot use bundle", bundle.status());
  auto p = OpenSimPlatform(ResolveSimDir(opts.sim_dir), bundle->identity);
  if (!p.ok()) return ReportStatus(opts.json, "cannot open simulated platform", p.status());
  auto quote = (*p)->Quote(rd);
  if (!quote.ok()) return ReportStatus(opts.json, "cannot make quote", quote.status());
  Status written = WriteFileAtomic(opts.out, *quote, 0644);
  if (!written.ok()) return ReportStatus(opts.json, "cannot write quote", written);
  if (opts.json) {
    Json j = IdentityJson(bundle->identity);
    j["quote"] = opts.out;
    j["size"] = quote->size();
    j["report_data"] = HexEncode(rd);
    PrintJsonResult(kVerdictOk, j);
  } else {
    std::cout << "quote:       " << opts.out << " (DCAP v3, " << quote->size()
              << " bytes, simulation root)\n"
              << "MRENCLAVE:   " << HexEncode(bundle->identity.mr_enclave) << "\n"
              << "MRSIGNER:    " << HexEncode(bundle->identity.mr_signer) << "\n"
              << "report data: " << HexEncode(rd) << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterEnclaveCommands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<EnclaveOptions>();

  CLI::App* measure = app.add_subcommand("measure", "MRENCLAVE/MRSIGNER of a bundle or SIGSTRUCT");
  SetLongDescription(measure, kMeasureHelp);
  measure->footer(kMeasureFooter);
  measure->add_option("BUNDLE", opts->bundle, "Enclave bundle directory");
  measure->add_option("--sigstruct", opts->sigstruct, "A SIGSTRUCT file (1808 bytes) instead");
  measure->add_flag("--json", opts->json, "Print one JSON object");
  measure->callback([opts, &ctx] { ctx.exit_code = RunMeasure(*opts); });

  CLI::App* enclave = app.add_subcommand("enclave", "Enclave bundles: keys, signing, run, quote");
  enclave->footer(std::string(kEnclaveHelp) + "\n\n" + kExitCodesHelp);
  enclave->require_subcommand(1);

  CLI::App* keygen = enclave->add_subcommand("keygen", "Generate an enclave signing key");
  SetLongDescription(
      keygen,
      "Generates an RSA-3072 key with public exponent 3 (what SGX requires of SIGSTRUCT\n"
      "signers; `openssl genrsa -3 3072` makes the same kind) as unencrypted PKCS#8 PEM, mode\n"
      "0600, and prints its MRSIGNER.");
  keygen->footer("Exit codes: 0 ok; 2 the file exists (use --force); 3 I/O error.");
  keygen->add_option("--out", opts->out, "Key file to write")->required();
  keygen->add_flag("--force", opts->force, "Overwrite an existing file");
  keygen->add_flag("--json", opts->json, "Print one JSON object");
  keygen->callback([opts, &ctx] { ctx.exit_code = RunEnclaveKeygen(*opts); });

  CLI::App* sign = enclave->add_subcommand("sign", "Sign a bundle (writes vouch-enclave.sig)");
  SetLongDescription(
      sign,
      "Measures the bundle and writes BUNDLE/vouch-enclave.sig: a real-format SGX SIGSTRUCT\n"
      "with ENCLAVEHASH = the measurement, ISVPRODID, ISVSVN and DEBUG from the manifest,\n"
      "signed with the RSA-3072 exponent-3 key (PKCS#1 v1.5, SHA-256, with Q1/Q2). MRSIGNER is\n"
      "SHA-256 of the key's modulus as stored little-endian, as SGX computes it. Signing is\n"
      "deterministic; re-sign after any change to the bundle.");
  sign->footer(kEnclaveSignFooter);
  sign->add_option("BUNDLE", opts->bundle, "Enclave bundle directory")->required();
  sign->add_option("--key", opts->key, "RSA-3072 exponent-3 private key (PEM)")->required();
  sign->add_option("--date", opts->date, "SIGSTRUCT DATE as YYYY-MM-DD (default: today, UTC)");
  sign->add_flag("--json", opts->json, "Print one JSON object");
  sign->callback([opts, &ctx] { ctx.exit_code = RunEnclaveSign(*opts); });

  CLI::App* run = enclave->add_subcommand("run", "Run a signed bundle as a simulated enclave");
  SetLongDescription(
      run,
      "Measures the bundle, checks its signature, and starts its entry program (exec) with the\n"
      "identity the signature states, passed through the environment:\n"
      "  VOUCH_PLATFORM=sim, VOUCH_SIM_DIR=<state dir>, VOUCH_ENCLAVE_IDENTITY=<JSON>,\n"
      "  VOUCH_ENCLAVE_BUNDLE=<bundle dir>\n"
      "A program linking libvouch picks them up with vouch::platform::Platform::FromEnvironment()\n"
      "for its identity, quotes and seal keys. Simulation gives no isolation: any process that\n"
      "can read the state directory can act as any enclave (docs/platform.md).");
  run->footer(kRunFooter);
  run->add_option("BUNDLE", opts->bundle, "Enclave bundle directory")->required();
  run->add_option("ARGS", opts->args, "Arguments for the program (after --)");
  run->add_option("--sim-dir", opts->sim_dir,
                  "Simulated platform (default: $VOUCH_SIM_DIR, else "
                  "~/.local/share/vouch/sim)");
  run->add_option("--platform", opts->platform, "sim (default) or mock (Conclave mock mode)");
  run->callback([opts, &ctx] { ctx.exit_code = RunRun(*opts); });

  CLI::App* quote = enclave->add_subcommand("quote", "Make a simulated quote for a bundle");
  SetLongDescription(
      quote,
      "Writes a DCAP v3 quote, as the signed bundle's enclave would get it on the simulated\n"
      "platform, over the given report data (at most 64 bytes, zero-padded on the right).\n"
      "Verify it with `vouch sim collateral --out C` and\n"
      "`vouch sgx verify QUOTE --collateral C --sim-root C/root_ca.der`.");
  quote->footer(kQuoteFooter);
  quote->add_option("BUNDLE", opts->bundle, "Enclave bundle directory")->required();
  quote->add_option("--report-data", opts->report_data, "Report data as hex (up to 128 digits)")
      ->required();
  quote->add_option("--out", opts->out, "Quote file to write")->required();
  quote->add_option("--sim-dir", opts->sim_dir, "Simulated platform directory");
  quote->add_flag("--json", opts->json, "Print one JSON object");
  quote->callback([opts, &ctx] { ctx.exit_code = RunQuote(*opts); });
}

}  // namespace vouch::cli
