#include "vouch/server/broker_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "vouch/base/encoding.h"
#include "vouch/base/time.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/server/broker_service.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/tlog/merkle.h"

namespace vouch::server {
namespace {

using Json = nlohmann::json;

Status Bad(std::string_view what, const std::string& why) {
  return MalformedError(kBrokerResponseMalformed,
                        "malformed answer to " + std::string(what) + ": " + why);
}

// The string member `name` of `j`, or nullopt.
std::optional<std::string> String(const Json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) return std::nullopt;
  return j[name].get<std::string>();
}

std::optional<Bytes> Base64Member(const Json& j, const char* name) {
  auto text = String(j, name);
  if (!text) return std::nullopt;
  auto bytes = Base64Decode(*text);
  if (!bytes.ok()) return std::nullopt;
  return *std::move(bytes);
}

template <size_t N>
std::optional<std::array<uint8_t, N>> FixedBase64Member(const Json& j, const char* name) {
  auto bytes = Base64Member(j, name);
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

StatusOr<BrokerIdentity> ParseBrokerIdentity(std::string_view body) {
  constexpr char kWhat[] = "GET /identity";
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  const std::optional<std::string> mode = String(j, "mode");
  if (!j.is_object() || String(j, "format") != kBrokerIdentityFormat ||
      (mode != "broker" && mode != "handoff")) {
    return Bad(kWhat, std::string("not a ") + kBrokerIdentityFormat +
                          " document of a broker or a hand-off broker");
  }
  BrokerIdentity id;
  id.mode = *mode == "handoff" ? govern::BrokerMode::kHandoff : govern::BrokerMode::kBroker;
  const Json& hpke = j.value("hpke", Json());
  if (!hpke.is_object() || hpke.value("kem_id", 0) != 32 || hpke.value("kdf_id", 0) != 1 ||
      hpke.value("aead_id", 0) != 2) {
    return Bad(kWhat, "hpke is not the suite DHKEM(X25519), HKDF-SHA256, AES-256-GCM");
  }
  const Json& hpke_key = hpke.value("key", Json());
  auto hpke_spki = Base64Member(hpke_key, "spki");
  auto hpke_keyid = String(hpke_key, "keyid");
  if (!hpke_spki || !hpke_keyid) return Bad(kWhat, "hpke.key is not {\"keyid\",\"spki\"}");
  auto key = X25519PublicKeyFromSpki(*hpke_spki);
  if (!key.ok()) return Bad(kWhat, "hpke.key.spki is not an X25519 SPKI");
  id.hpke_key = *key;
  id.hpke_keyid = X25519KeyId(id.hpke_key);
  if (*hpke_keyid != id.hpke_keyid) return Bad(kWhat, "hpke.key.keyid is not SHA-256 of its SPKI");

  const Json& signing_key = j.value("signing", Json()).value("key", Json());
  auto signing_spki = Base64Member(signing_key, "spki");
  auto signing_keyid = String(signing_key, "keyid");
  if (!signing_spki || !signing_keyid || signing_spki->empty()) {
    return Bad(kWhat, "signing.key is not {\"keyid\",\"spki\"}");
  }
  if (!PublicKeyFromSpki(*signing_spki).ok()) {
    return Bad(kWhat, "signing.key.spki is not a supported public key");
  }
  id.signing_spki = *std::move(signing_spki);
  id.signing_keyid = KeyIdOf(id.signing_spki);
  if (*signing_keyid != id.signing_keyid) {
    return Bad(kWhat, "signing.key.keyid is not SHA-256 of its SPKI");
  }

  const Json& evidence = j.value("evidence", Json());
  auto quote = Base64Member(evidence, "quote");
  if (String(evidence, "type") != kSgxDcapQuoteEvidence || !quote) {
    return Bad(kWhat, "evidence is not {\"type\":\"sgx-dcap-quote\",\"quote\":B64,…}");
  }
  id.quote = *std::move(quote);
  if (evidence.contains("collateral")) {
    if (!evidence["collateral"].is_object()) return Bad(kWhat, "evidence.collateral");
    for (const auto& [name, data] : evidence["collateral"].items()) {
      auto bytes = data.is_string() ? Base64Decode(data.get<std::string>())
                                    : StatusOr<Bytes>(InvalidArgumentError("not a string"));
      if (!bytes.ok()) return Bad(kWhat, "evidence.collateral." + name + " is not base64");
      id.collateral.emplace_back(name, *std::move(bytes));
    }
  }
  auto ledger = String(j, "ledger");
  auto receipt = String(j, "receipt");
  auto check = String(j.value("status", Json()), "check");
  if (!ledger || !receipt || !check) return Bad(kWhat, "ledger, receipt or status.check missing");
  id.ledger = *std::move(ledger);
  id.receipt = *std::move(receipt);
  id.check = *std::move(check);
  return id;
}

StatusOr<TrustedBroker> CheckBrokerIdentity(const BrokerIdentity& identity, const LedgerView& view,
                                            const BrokerCheckOptions& options) {
  auto untrusted = [](const std::string& why) { return RejectedError(kBrokerUntrusted, why); };
  TrustedBroker out;
  // (b)
  sgx::Collateral collateral;
  if (options.collateral) {
    collateral = *options.collateral;
    out.owner_collateral = true;
  } else {
    if (identity.collateral.empty()) {
      return untrusted(
          "the broker's identity carries no collateral to verify its quote with; give "
          "--collateral");
    }
    auto served = sgx::CollateralFromFiles(identity.collateral);
    if (!served.ok()) {
      return untrusted("the collateral the broker serves is unusable: " +
                       served.status().message());
    }
    collateral = *std::move(served);
  }
  auto verified = options.verifier->Verify(identity.quote, collateral, {options.now, false});
  if (!verified.ok()) {
    return untrusted("the broker's key-binding quote does not verify (" +
                     verified.status().reason() + "): " + verified.status().message());
  }
  // (c)
  auto expected = provision::BrokerKeyReportData(identity.hpke_key, identity.signing_spki);
  if (!expected.ok() || verified->enclave.report_data != *expected) {
    return untrusted(
        "the quote's report_data does not bind the broker's HPKE and signing keys "
        "(SHA-256(\"vouch-broker-key/v1\" || SPKI(hpke) || SPKI(signing)) || 0^32)");
  }
  out.enclave = sgx::ToEnclaveInstanceInfo(*verified);
  // (d)
  if (identity.ledger != view.checkpoint.origin()) {
    return untrusted("the broker reads the ledger " + identity.ledger + ", not " +
                     view.checkpoint.origin());
  }
  const uint64_t n = view.checkpoint.size();
  govern::AdmissionDecision d =
      view.state->Admitted(out.enclave, govern::Role::kBroker, n, options.now);
  if (!d.admitted) {
    return untrusted("no admission for role broker admits MRENCLAVE " +
                     HexEncode(out.enclave.code_hash) + " in " + view.checkpoint.origin() +
                     " at size " + std::to_string(n) + " (" + d.code + "): " + d.message);
  }
  out.admitted_by = d.by.front();
  // (e)
  if (options.hpke_keyid_pin && *options.hpke_keyid_pin != identity.hpke_keyid) {
    return untrusted("the broker's HPKE keyid " + identity.hpke_keyid + " is not the pinned " +
                     *options.hpke_keyid_pin);
  }
  return out;
}

StatusOr<BrokerClient> BrokerClient::Create(std::string_view base_url, http::Client& client,
                                            std::chrono::milliseconds timeout) {
  VOUCH_ASSIGN_OR_RETURN(std::string base, http::ServiceBaseUrl(base_url, "broker"));
  return BrokerClient(std::move(base), client, timeout);
}

Status BrokerClient::Refusal(std::string_view what, const http::HttpResponse& r) const {
  std::string code;
  std::string message(http::StatusReason(r.status));
  const Json j = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error")) {
    if (auto c = String(j["error"], "code")) code = *c;
    if (auto m = String(j["error"], "message")) message = m->substr(0, 500);
  }
  std::string text = "broker " + base_ + " refused " + std::string(what) + " (" +
                     std::to_string(r.status) + (code.empty() ? "" : " " + code) + "): " + message;
  if (r.status >= 400 && r.status < 500 && r.status != 429) {
    return RejectedError(code.empty() ? "broker_refused" : code, std::move(text));
  }
  return Status(StatusCode::kUnavailable, std::move(text), code);
}

StatusOr<BrokerIdentity> BrokerClient::Identity() const {
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r, client_->Get(base_ + "/identity", {}, timeout_));
  if (r.status != 200) return Refusal("GET /identity", r);
  return ParseBrokerIdentity(r.body);
}

StatusOr<provision::IssuedNonce> BrokerClient::Challenge(
    const provision::EnvelopeId& envelope_id) const {
  constexpr char kWhat[] = "POST /challenge";
  Json body;
  body["envelope_id"] = HexEncode(envelope_id);
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r, client_->Post(base_ + "/challenge", body.dump(),
                                                             "application/json", {}, timeout_));
  if (r.status != 200) return Refusal(kWhat, r);
  const Json j = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  auto nonce = FixedBase64Member<provision::Nonce{}.size()>(j, "nonce");
  auto expires_text = String(j, "expires");
  if (!nonce || !expires_text || j.size() != 2) {
    return Bad(kWhat, "not {\"nonce\":B64 of 32 bytes,\"expires\":TIMESTAMP}");
  }
  auto expires = ParseRfc3339(*expires_text);
  if (!expires.ok()) return Bad(kWhat, "expires is not a timestamp");
  return provision::IssuedNonce{*nonce, *expires};
}

StatusOr<ReleaseResult> BrokerClient::Release(const ReleaseRequest& request) const {
  constexpr char kWhat[] = "POST /release";
  Json body;
  body["envelope"] = std::string(AsStringView(request.envelope));
  body["nonce"] = Base64Encode(request.nonce);
  body["enclave_key"] = Base64Encode(request.enclave_key);
  body["evidence"] = {{"type", kSgxDcapQuoteEvidence}, {"quote", Base64Encode(request.quote)}};
  VOUCH_ASSIGN_OR_RETURN(
      http::HttpResponse r,
      client_->Post(base_ + "/release", body.dump(-1, ' ', false, Json::error_handler_t::replace),
                    "application/json", {}, timeout_));
  if (r.status != 200) return Refusal(kWhat, r);
  const Json j = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  ReleaseResult out;
  auto release_id = String(j, "release_id");
  auto id = release_id ? HexDecodeArray<govern::ReleaseId{}.size()>(*release_id)
                       : StatusOr<govern::ReleaseId>(InvalidArgumentError("absent"));
  if (!id.ok() || *release_id != HexEncode(*id)) {
    return Bad(kWhat, "release_id is not 32 lower-case hex");
  }
  out.release_id = *id;
  auto enc = FixedBase64Member<hpke::kEncSize>(j, "enc");
  auto ct = Base64Member(j, "ct");
  if (!enc || !ct || ct->empty()) return Bad(kWhat, "enc or ct is not base64");
  out.sealed.enc = *enc;
  out.sealed.ct = *std::move(ct);
  const Json& record = j.value("record", Json());
  auto entry = Base64Member(record, "entry");
  auto leaf_hash = FixedBase64Member<Sha256Digest{}.size()>(record, "leaf_hash");
  if (!entry || !leaf_hash || !record.contains("index") || !record["index"].is_number_unsigned()) {
    return Bad(kWhat, "record is not {\"entry\":B64,\"index\":N,\"leaf_hash\":B64}");
  }
  out.record_entry = *std::move(entry);
  out.record_index = record["index"].get<uint64_t>();
  out.record_leaf_hash = *leaf_hash;
  if (tlog::HashLeaf(out.record_entry) != out.record_leaf_hash) {
    return Bad(kWhat, "record.leaf_hash is not the leaf hash of record.entry");
  }
  return out;
}

}  // namespace vouch::server
