#include "cli/cli_common.h"

#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/sgx/simulated_pki.h"
#include "vouch/tlog/reasons.h"

namespace vouch::cli {

const char* FailureVerdict(int exit_code) {
  return exit_code == kExitRejected ? kVerdictRejected : kVerdictError;
}

void PrintError(const std::string& message) { std::cerr << "vouch: " << message << "\n"; }

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void PrintJsonResult(std::string_view verdict, const Json& fields) {
  Json out;
  out["verdict"] = verdict;
  for (const auto& [key, value] : fields.items()) {
    if (key != "verdict") out[key] = value;
  }
  std::cout << DumpJson(out) << "\n";
}

int ReportFailure(bool json, const ErrorCode& code, const std::string& what,
                  const std::string& message, const std::string& hint, const Json& fields) {
  if (json) {
    Json out = fields;
    out["error"]["code"] = code.code;
    out["error"]["message"] = message;
    if (!hint.empty()) out["error"]["hint"] = hint;
    PrintJsonResult(FailureVerdict(code.exit_code), out);
  } else {
    PrintError(what + ": " + message);
    if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  }
  return code.exit_code;
}

int ReportStatus(bool json, const std::string& what, const Status& status, const std::string& hint,
                 const Json& fields) {
  Failure failure = ErrorCodeFor(status);
  return ReportFailure(json, ErrorCode{failure.code, failure.exit_code}, what, status.message(),
                       hint, fields);
}

int ReportFailure(bool json, int exit_code, const std::string& code, const std::string& what,
                  const std::string& message) {
  ExitCode exit = exit_code == kExitRejected ? kExitRejected
                  : exit_code == kExitUsage  ? kExitUsage
                                             : kExitIo;
  return ReportFailure(json, ErrorCode{code, exit}, what, message);
}

std::string DefaultPublicKeyPath(const std::string& out) {
  constexpr std::string_view kPem = ".pem";
  if (out.size() > kPem.size() && out.ends_with(kPem)) {
    return out.substr(0, out.size() - kPem.size()) + ".pub.pem";
  }
  return out + ".pub.pem";
}

int RefuseOverwrite(bool json, const std::string& path, bool force, const std::string& hint) {
  if (force || path == "-" || !FileExists(path)) return kExitOk;
  return ReportFailure(json, codes::kFileExists, "refusing to overwrite " + path, "the file exists",
                       hint);
}

int RefuseKeyOverwrite(bool json, const std::string& path, bool force, const std::string& hint) {
  if (force || !FileExists(path)) return kExitOk;
  return ReportFailure(json, codes::kFileExists, "refusing to overwrite", path + " exists", hint);
}

int WriteNoteKeyFile(bool json, const std::string& path, std::string& key,
                     const std::string& name_member, const std::string& name,
                     const std::string& vkey) {
  Status written = WriteFileAtomic(path, AsBytes(key), 0600);
  SecureWipe(key.data(), key.size());
  if (!written.ok()) {
    return ReportFailure(json, codes::kIoError, "cannot write key", written.message());
  }
  if (json) {
    PrintJsonResult(kVerdictOk, {{name_member, name}, {"vkey", vkey}, {"key_file", path}});
  } else {
    std::cout << vkey << "\n";
  }
  return kExitOk;
}

void AddKeyPairFileOptions(CLI::App* cmd, KeyPairOptions* o) {
  cmd->add_option("--out", o->out, "Private key file to create (0600)")->required();
  cmd->add_option("--pub-out", o->pub_out,
                  "Public key file to create (default: K.pub.pem for --out K.pem)");
}

int ResolveKeyPairPaths(const KeyPairOptions& o, const std::string& overwrite_hint,
                        std::string* pub_out) {
  *pub_out = o.pub_out.empty() ? DefaultPublicKeyPath(o.out) : o.pub_out;
  if (o.out == "-" || *pub_out == "-" || *pub_out == o.out) {
    return ReportFailure(o.json, codes::kUsage, "bad usage",
                         "--out and --pub-out must be two different files (not standard output)");
  }
  for (const std::string& path : {o.out, *pub_out}) {
    if (const int rc = RefuseOverwrite(o.json, path, o.force, overwrite_hint); rc != kExitOk) {
      return rc;
    }
  }
  return kExitOk;
}

int RefuseStdoutWithJson(bool json, const std::string& path, const std::string& option) {
  if (!json || path != "-") return kExitOk;
  return ReportFailure(json, codes::kUsage, "bad usage",
                       option +
                           " - writes the data to standard output, where --json prints its "
                           "object",
                       "give " + option + " a file name, or leave out --json");
}

int ExitCodeForReadError(const Status& status) { return ReadErrorCode(status).exit_code; }

ErrorCode ReadErrorCode(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ? codes::kInputTooLarge : codes::kIoError;
}

int ReportReadFailure(bool json, const std::string& what, const Status& status,
                      const std::string& hint) {
  return ReportFailure(json, ReadErrorCode(status), what, status.message(), hint);
}

int ReadInputFile(bool json, const std::string& path, size_t max_size, Bytes* out) {
  auto read = ReadFile(path, max_size);
  if (!read.ok()) return ReportReadFailure(json, "cannot read " + path, read.status());
  *out = *std::move(read);
  return kExitOk;
}

StatusOr<tlog::Policy> ReadPolicyFile(const std::string& path, int* exit_code, std::string* code) {
  auto text = ReadFileToString(path, tlog::kMaxPolicySize);
  if (!text.ok()) {
    ErrorCode failure = ReadErrorCode(text.status());
    *exit_code = failure.exit_code;
    *code = failure.code;
    return text.status().WithContext("cannot read --policy");
  }
  auto policy = tlog::Policy::Parse(*text);
  if (!policy.ok()) {
    *exit_code = kExitUsage;
    *code = tlog::reasons::kPolicyMalformed;
    return policy.status().WithContext("bad --policy");
  }
  return policy;
}

StatusOr<sgx::TrustRoot> ReadTrustRoot(const std::string& path, sgx::TrustRootKind kind) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, ReadFile(path, size_t{1} << 20));
  const std::string root_malformed(codes::kRootMalformed.code);
  std::optional<Certificate> cert;
  if (!data.empty() && data[0] == 0x30) {
    auto der = Certificate::FromDer(data);
    if (!der.ok()) {
      return MalformedError(root_malformed,
                            path + " is not a DER certificate (" + der.status().message() + ")");
    }
    cert = *der;
  } else {
    auto chain = Certificate::ParsePemChain(AsStringView(data));
    if (!chain.ok()) {
      return MalformedError(root_malformed, path +
                                                " is neither a DER certificate nor a PEM file "
                                                "with one certificate (BEGIN CERTIFICATE)");
    }
    if (chain->size() != 1) {
      return MalformedError(root_malformed, path + " holds " + std::to_string(chain->size()) +
                                                " certificates; a root file holds one");
    }
    cert = (*chain)[0];
  }
  if (kind == sgx::TrustRootKind::kProduction && sgx::IsVouchSimulationRoot(*cert)) {
    return MalformedError(std::string(codes::kTrustRootIsSimulation.code),
                          path + " is a Vouch simulation root (O=" + cert->SubjectOrganization() +
                              "), which can never be a production root");
  }
  return sgx::TrustRoot{*cert, kind};
}

std::optional<std::string> EnvDefault(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before threads
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

void Verbose(bool on, const std::string& line) {
  if (on) PrintError(line);
}

StatusOr<UnixSeconds> AtOrNow(const std::string& text) {
  if (text.empty()) return RealClock().Now();
  return ParseTimeArg(text);
}

int ReportBadAt(bool json, const Status& status) {
  return ReportFailure(json, codes::kInvalidTime, "bad --at", status.message(),
                       "give Unix seconds (1752919277) or RFC 3339 (2025-07-19T10:01:17Z)");
}

std::chrono::steady_clock::time_point SteadyNow() { return RealClock().SteadyNow(); }

std::string JoinOrNone(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

Status WriteOutput(const std::string& path, ByteSpan data, mode_t mode) {
  if (path != "-") return WriteFileAtomic(path, data, mode);
  // Straight to the descriptor, so that no stdio buffer keeps a copy (`vouch unseal -` writes a
  // secret here); what std::cout holds goes first.
  std::cout.flush();
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError("cannot write to standard output");
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

std::string Elapsed(std::chrono::steady_clock::time_point start) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyNow() - start).count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

WaitNotice::WaitNotice(std::string what, std::chrono::seconds limit,
                       std::chrono::milliseconds first, std::chrono::milliseconds every)
    : what_(std::move(what)),
      limit_(limit),
      first_(first),
      every_(every),
      start_(SteadyNow()),
      thread_([this] { Run(); }) {}

WaitNotice::~WaitNotice() {
  {
    MutexLock lock(&mu_);
    done_ = true;
  }
  cv_.SignalAll();
  thread_.join();
}

void WaitNotice::Run() {
  auto next = start_ + first_;
  MutexLock lock(&mu_);
  while (!done_) {
    if (SteadyNow() < next) {
      cv_.WaitUntil(&mu_, next);
      continue;
    }
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(SteadyNow() - start_);
    std::cerr << "vouch: " << what_ << " (" << waited.count() << " s of at most " << limit_.count()
              << " s)" << std::endl;
    next += every_;
  }
}

CLI::App* GetOrAddSubcommand(CLI::App& parent, const std::string& name,
                             const std::string& description) {
  for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->require_subcommand(1);
  return sub;
}

}  // namespace vouch::cli
