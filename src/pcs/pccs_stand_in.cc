#include "pcs/pccs_stand_in.h"

#include "vouch/base/encoding.h"

namespace vouch::pcs {
namespace {

// RFC 3986 percent-encoding of everything but unreserved characters, as PCS encodes PEM.
std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Response(std::string_view member, const sgx::SignedJson& s) {
  return "{\"" + std::string(member) + "\":" + std::string(AsStringView(s.body)) +
         ",\"signature\":\"" + HexEncode(s.signature) + "\"}";
}

}  // namespace

StatusOr<std::unique_ptr<http::HttpServer>> StartPccsStandIn(const sgx::Collateral& c,
                                                             const std::string& fmspc_hex,
                                                             const std::string& ca,
                                                             const PccsStandInOptions& o) {
  const std::string api = "/sgx/certification/v4";
  http::Router router;
  // TCB Info and QE Identity of one TEE under `prefix`.
  auto serve_tee = [&](const std::string& prefix, const sgx::Collateral& tee) {
    router.Handle("GET", prefix + "/tcb", [=](const http::HttpRequest& req) {
      auto fmspc = req.QueryParam("fmspc");
      if (!fmspc || *fmspc != fmspc_hex) return http::HttpResponse::Text(404, "unknown FMSPC\n");
      auto r = http::HttpResponse::Json(
          200, o.garbage_tcb_info ? "{\"tcbInfo\":[]}" : Response("tcbInfo", tee.tcb_info));
      if (!o.omit_tcb_issuer_chain)
        r.headers.Set("TCB-Info-Issuer-Chain", UrlEncode(tee.tcb_info_issuer_chain));
      return r;
    });
    router.Handle("GET", prefix + "/qe/identity", [=](const http::HttpRequest&) {
      if (o.qe_identity_status != 200) {
        return http::HttpResponse::Text(o.qe_identity_status, "unavailable\n");
      }
      auto r = http::HttpResponse::Json(200, Response("enclaveIdentity", tee.qe_identity));
      r.headers.Set("SGX-Enclave-Identity-Issuer-Chain", UrlEncode(tee.qe_identity_issuer_chain));
      return r;
    });
  };
  serve_tee(api, c);
  if (o.tdx) serve_tee("/tdx/certification/v4", *o.tdx);
  router.Handle("GET", api + "/pckcrl", [=](const http::HttpRequest& req) {
    auto which = req.QueryParam("ca");
    if (!which || *which != ca) return http::HttpResponse::Text(404, "unknown CA\n");
    auto r = http::HttpResponse::Bytes(200, ByteSpan(c.pck_crl), "application/pkix-crl");
    r.headers.Set("SGX-PCK-CRL-Issuer-Chain", UrlEncode(c.pck_crl_issuer_chain));
    return r;
  });
  router.Handle("GET", api + "/rootcacrl", [=](const http::HttpRequest&) {
    return http::HttpResponse::Text(200, HexEncode(c.root_ca_crl));  // PCCS answers in hex
  });
  http::ServerOptions options;
  options.listen_address = o.listen_address;
  return http::HttpServer::Start(options, router);
}

}  // namespace vouch::pcs
