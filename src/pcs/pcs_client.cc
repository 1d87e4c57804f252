#include "vouch/pcs/pcs_client.h"

#include "vouch/base/encoding.h"
#include "vouch/http/http.h"
#include "vouch/pcs/reasons.h"
#include "vouch/sgx/pck_extension.h"
#include "vouch/sgx/quote.h"
#include "vouch/sgx/td_quote.h"

namespace vouch::pcs {
namespace {

constexpr std::string_view kSgxApiPath = "/sgx/certification/v4";
constexpr std::string_view kTdxApiPath = "/tdx/certification/v4";

// The server's root: `url` without trailing slashes and without an API path.
std::string ServerRoot(std::string_view url) {
  std::string base = http::WithoutTrailingSlashes(url);
  for (std::string_view path : {kSgxApiPath, kTdxApiPath}) {
    if (base.size() >= path.size() &&
        base.compare(base.size() - path.size(), std::string::npos, path) == 0) {
      return base.substr(0, base.size() - path.size());
    }
  }
  return base;
}

Status BadResponse(const std::string& url, const std::string& message) {
  return Status(StatusCode::kDataLoss, url + ": " + message, reasons::kPccsBadResponse);
}

StatusOr<http::HttpResponse> GetOk(http::Client& client, const std::string& url,
                                   std::chrono::milliseconds timeout) {
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse response, client.Get(url, {}, timeout));
  if (response.status != 200) {
    std::string snippet = response.body.substr(0, 200);
    return UnavailableError(url + " answered HTTP " + std::to_string(response.status) +
                            (snippet.empty() ? "" : ": " + snippet));
  }
  return response;
}

// The issuer chain from the first present header of `names`, URL-decoded.
StatusOr<std::string> IssuerChain(const http::HttpResponse& response, const std::string& url,
                                  std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = response.headers.Get(name)) {
      auto decoded = http::PercentDecode(*value);
      if (!decoded.ok())
        return BadResponse(url, std::string(name) + ": " + decoded.status().message());
      if (!Certificate::ParsePemChain(*decoded).ok()) {
        return BadResponse(url, std::string(name) + " is not a PEM certificate chain");
      }
      return decoded;
    }
  }
  return BadResponse(url, std::string("missing issuer chain header ") + *names.begin());
}

StatusOr<Bytes> Crl(const http::HttpResponse& response, const std::string& url) {
  auto der = sgx::DecodeDerOrHex(response.BodyBytes());
  if (!der.ok() || !vouch::Crl::FromDer(*der).ok()) {
    return BadResponse(url, "body is not a CRL (DER or hex-encoded DER)");
  }
  return der;
}

}  // namespace

StatusOr<PlatformSelector> SelectorFromPckCertificate(const Certificate& leaf) {
  auto ext_der = leaf.ExtensionValue(sgx::kSgxExtensionOid);
  if (!ext_der.ok()) {
    return InvalidArgumentError("the PCK certificate has no SGX extension: " +
                                ext_der.status().message());
  }
  VOUCH_ASSIGN_OR_RETURN(sgx::PckExtension ext, sgx::PckExtension::Parse(*ext_der));
  PlatformSelector out;
  out.fmspc = ext.fmspc;
  const std::string issuer = leaf.IssuerCommonName();
  if (issuer == "Intel SGX PCK Processor CA") {
    out.ca = "processor";
  } else if (issuer == "Intel SGX PCK Platform CA") {
    out.ca = "platform";
  } else {
    return InvalidArgumentError("the PCK certificate's issuer \"" + issuer +
                                "\" is neither the Processor nor the Platform CA");
  }
  return out;
}

namespace {

StatusOr<PlatformSelector> SelectorFromParsedQuote(
    const sgx::DcapQuote& quote, const std::optional<std::string>& pck_chain_pem) {
  std::string pem;
  if (pck_chain_pem) {
    pem = *pck_chain_pem;
  } else if (quote.certification_data_type() == sgx::CertificationDataType::kPckCertChain) {
    pem = std::string(AsStringView(quote.certification_data()));
  } else {
    return InvalidArgumentError("the quote carries certification data type " +
                                std::to_string(static_cast<int>(quote.certification_data_type())) +
                                " (no PCK certificate); pass the PCK certificate with --pck-cert");
  }
  VOUCH_ASSIGN_OR_RETURN(auto chain, Certificate::ParsePemChain(pem));
  return SelectorFromPckCertificate(chain.front());
}

}  // namespace

StatusOr<PlatformSelector> SelectorFromQuote(ByteSpan quote_bytes,
                                             const std::optional<std::string>& pck_chain_pem) {
  if (sgx::IsTdQuote(quote_bytes)) {
    VOUCH_ASSIGN_OR_RETURN(sgx::TdQuote quote, sgx::TdQuote::Parse(quote_bytes));
    VOUCH_ASSIGN_OR_RETURN(PlatformSelector selector,
                           SelectorFromParsedQuote(quote, pck_chain_pem));
    selector.tdx = true;
    return selector;
  }
  VOUCH_ASSIGN_OR_RETURN(sgx::Quote quote, sgx::Quote::Parse(quote_bytes));
  return SelectorFromParsedQuote(quote, pck_chain_pem);
}

StatusOr<sgx::Collateral> FetchCollateral(http::Client& client, const std::string& base_url,
                                          const PlatformSelector& platform,
                                          std::chrono::milliseconds timeout) {
  const std::string root = ServerRoot(base_url);
  const std::string api = root + std::string(kSgxApiPath);
  // TDX TCB Info and QE Identity (TD_QE) have their own paths; CRLs are shared with SGX.
  const std::string tee_api = root + std::string(platform.tdx ? kTdxApiPath : kSgxApiPath);
  sgx::Collateral c;

  const std::string tcb_url = tee_api + "/tcb?fmspc=" + HexEncode(platform.fmspc);
  VOUCH_ASSIGN_OR_RETURN(auto tcb, GetOk(client, tcb_url, timeout));
  auto tcb_info = sgx::ExtractSignedJson(tcb.body, "tcbInfo");
  if (!tcb_info.ok()) return BadResponse(tcb_url, tcb_info.status().message());
  c.tcb_info = std::move(*tcb_info);
  VOUCH_ASSIGN_OR_RETURN(
      c.tcb_info_issuer_chain,
      IssuerChain(tcb, tcb_url, {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"}));

  const std::string qe_url = tee_api + "/qe/identity";
  VOUCH_ASSIGN_OR_RETURN(auto qe, GetOk(client, qe_url, timeout));
  auto qe_identity = sgx::ExtractSignedJson(qe.body, "enclaveIdentity");
  if (!qe_identity.ok()) return BadResponse(qe_url, qe_identity.status().message());
  c.qe_identity = std::move(*qe_identity);
  VOUCH_ASSIGN_OR_RETURN(c.qe_identity_issuer_chain,
                         IssuerChain(qe, qe_url, {"SGX-Enclave-Identity-Issuer-Chain"}));

  const std::string crl_url = api + "/pckcrl?ca=" + platform.ca + "&encoding=der";
  VOUCH_ASSIGN_OR_RETURN(auto pck_crl, GetOk(client, crl_url, timeout));
  VOUCH_ASSIGN_OR_RETURN(c.pck_crl, Crl(pck_crl, crl_url));
  VOUCH_ASSIGN_OR_RETURN(c.pck_crl_issuer_chain,
                         IssuerChain(pck_crl, crl_url, {"SGX-PCK-CRL-Issuer-Chain"}));

  const std::string root_url = api + "/rootcacrl";
  VOUCH_ASSIGN_OR_RETURN(auto root_crl, GetOk(client, root_url, timeout));
  VOUCH_ASSIGN_OR_RETURN(c.root_ca_crl, Crl(root_crl, root_url));
  return c;
}

}  // namespace vouch::pcs
