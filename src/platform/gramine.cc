#include "vouch/platform/gramine.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/internal.h"
#include "vouch/base/file.h"
#include "vouch/platform/reasons.h"
#include "vouch/sgx/quote.h"
#include "vouch/sgx/simulated_pki.h"

namespace vouch::platform {
namespace {

constexpr char kGramineSealSalt[] = "vouch/gramine/seal";
constexpr size_t kSgxReportSize = 432;  // sgx_report_t: body 384 ‖ key_id 32 ‖ mac 16
constexpr size_t kGramineKeySize = 16;
constexpr size_t kMaxQuoteSize = 64 * 1024;

Status Malformed(const std::string& message) {
  return MalformedError(reasons::kGramineMalformed, "Gramine attestation: " + message);
}

// Writes `data` to an existing pseudo-file (no temp file + rename: /dev/attestation files
// must be written in place).
Status WriteInPlace(const std::string& path, ByteSpan data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  size_t done = 0;
  Status status;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = UnavailableError("cannot write " + path + ": " + std::strerror(errno));
      break;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return status;
}

class GraminePlatform final : public Platform {
 public:
  GraminePlatform(std::string dir, std::string type, EnclaveIdentity identity)
      : dir_(std::move(dir)), type_(std::move(type)), identity_(identity) {}

  std::string_view name() const override { return "gramine"; }
  EnclaveMode mode() const override {
    return identity_.debug() ? EnclaveMode::kDebug : EnclaveMode::kRelease;
  }
  const EnclaveIdentity& identity() const override { return identity_; }
  EvidenceFormat evidence_format() const override { return EvidenceFormat::kDcapQuote; }

  StatusOr<Bytes> Report(const ReportData& report_data) override {
    VOUCH_RETURN_IF_ERROR(WriteInPlace(dir_ + "/user_report_data", report_data));
    VOUCH_ASSIGN_OR_RETURN(sgx::ReportBody body, ReadReport(dir_));
    VOUCH_RETURN_IF_ERROR(CheckStatement(body, report_data, "report"));
    return sgx::EncodeReportBody(body);
  }

  StatusOr<Bytes> Quote(const ReportData& report_data) override {
    if (type_ != "dcap") {
      return Status(StatusCode::kFailedPrecondition,
                    "Gramine's attestation type is \"" + type_ +
                        "\", not \"dcap\"; set sgx.remote_attestation = \"dcap\" in the manifest",
                    reasons::kGramineAttestationDisabled);
    }
    VOUCH_RETURN_IF_ERROR(WriteInPlace(dir_ + "/user_report_data", report_data));
    auto quote = ReadFile(dir_ + "/quote", kMaxQuoteSize);
    if (!quote.ok()) return quote.status();
    auto parsed = sgx::Quote::Parse(*quote);
    if (!parsed.ok()) return Malformed("quote: " + parsed.status().message());
    VOUCH_RETURN_IF_ERROR(CheckStatement(parsed->report_body(), report_data, "quote"));
    return ToBytes(parsed->bytes());
  }

  StatusOr<SecretBytes> SealKey(const SealKeyRequest& request) const override {
    VOUCH_RETURN_IF_ERROR(internal::CheckSealKeyRequest(identity_, request));
    if (request.isv_svn != identity_.isv_svn) {
      return Status(StatusCode::kFailedPrecondition,
                    "Gramine provides seal keys for the enclave's own ISV SVN (" +
                        std::to_string(identity_.isv_svn) + ") only, not for SVN " +
                        std::to_string(request.isv_svn),
                    reasons::kGramineSvnUnavailable);
    }
    const char* name =
        request.policy == SealPolicy::kMrEnclave ? "_sgx_mrenclave" : "_sgx_mrsigner";
    std::string path = dir_ + "/keys/" + name;
    auto raw = ReadFile(path, 1024);
    if (!raw.ok()) return raw.status();
    SecretBytes key(*raw);
    SecureWipe(raw->data(), raw->size());
    if (key.size() != kGramineKeySize) {
      return Malformed(path + " must hold a 16-byte key, got " + std::to_string(key.size()));
    }
    return internal::DeriveSealKey(key.Reveal(), kGramineSealSalt, identity_, request);
  }

  static StatusOr<sgx::ReportBody> ReadReport(const std::string& dir) {
    VOUCH_ASSIGN_OR_RETURN(Bytes report, ReadFile(dir + "/report", 4096));
    if (report.size() != kSgxReportSize) {
      return Malformed("report is " + std::to_string(report.size()) + " bytes, not 432");
    }
    auto body = sgx::ReportBody::Parse(ByteSpan(report).first(sgx::kReportBodySize));
    if (!body.ok()) return Malformed("report: " + body.status().message());
    return body;
  }

 private:
  // The report or quote must state this enclave and the report data just written (a stale
  // or foreign file is an error, never evidence).
  Status CheckStatement(const sgx::ReportBody& body, const ReportData& report_data,
                        const char* what) const {
    if (body.mr_enclave != identity_.mr_enclave || body.mr_signer != identity_.mr_signer) {
      return Malformed(std::string(what) + " is for another enclave");
    }
    if (body.report_data != report_data) {
      return Malformed(std::string(what) + " does not carry the report data just written");
    }
    return OkStatus();
  }

  std::string dir_;
  std::string type_;
  EnclaveIdentity identity_;
};

}  // namespace

StatusOr<std::unique_ptr<Platform>> NewGraminePlatform(const std::string& dir) {
  auto type = ReadFileToString(dir + "/attestation_type", 64);
  if (!type.ok()) {
    return Status(StatusCode::kFailedPrecondition,
                  dir + " is not a Gramine attestation directory: " + type.status().message(),
                  reasons::kPlatformUnavailable);
  }
  std::string t = *type;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\0')) t.pop_back();
  if (t != "none" && t != "epid" && t != "dcap") {
    return Malformed("unknown attestation_type \"" + t + "\"");
  }
  // Identity: a report over zero report data.
  ReportData zero{};
  VOUCH_RETURN_IF_ERROR(WriteInPlace(dir + "/user_report_data", zero));
  VOUCH_ASSIGN_OR_RETURN(sgx::ReportBody body, GraminePlatform::ReadReport(dir));
  EnclaveIdentity id;
  id.mr_enclave = body.mr_enclave;
  id.mr_signer = body.mr_signer;
  id.product_id = body.isv_prod_id;
  id.isv_svn = body.isv_svn;
  id.attributes = body.attributes;
  return std::unique_ptr<Platform>(std::make_unique<GraminePlatform>(dir, std::move(t), id));
}

}  // namespace vouch::platform
