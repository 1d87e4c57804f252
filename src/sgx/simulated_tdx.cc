#include "sgx/simulated_tdx.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "sgx/simulated_json.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"

namespace vouch::sgx::testing {
namespace {

using Json = internal::SimJson;

Json Module(const Measurement384& mrsigner) {
  return {{"mrsigner", HexEncodeUpper(mrsigner)},
          {"attributes", "0000000000000000"},
          {"attributesMask", "FFFFFFFFFFFFFFFF"}};
}

std::string ModuleId(uint8_t version) {
  char id[8];
  std::snprintf(id, sizeof(id), "TDX_%02X", version);
  return id;
}

}  // namespace

Bytes EncodeTdReport(const TdReport& t) {
  Bytes out;
  Append(out, t.tee_tcb_svn);
  Append(out, t.mr_seam);
  Append(out, t.mr_signer_seam);
  Append(out, t.seam_attributes);
  Append(out, t.td_attributes);
  Append(out, t.xfam);
  Append(out, t.mr_td);
  Append(out, t.mr_config_id);
  Append(out, t.mr_owner);
  Append(out, t.mr_owner_config);
  for (const Measurement384& rtmr : t.rtmr) Append(out, rtmr);
  Append(out, t.report_data);
  if (t.tee_tcb_svn2) Append(out, *t.tee_tcb_svn2);
  if (t.mr_servicetd) Append(out, *t.mr_servicetd);
  return out;
}

StatusOr<Collateral> SimulatedTdx::MakeCollateral() const {
  const SimulatedPkiOptions& o = pki_.options();
  VOUCH_ASSIGN_OR_RETURN(Collateral c, pki_.MakeCollateral());
  const UnixSeconds date = o.issue_date - 86400;

  std::vector<SimulatedTdxLevel> levels = options_.tcb_levels;
  if (levels.empty()) {
    levels.push_back({o.platform.tcb_components,
                      o.platform.pce_svn,
                      options_.tee_tcb_svn,
                      TcbStatus::kUpToDate,
                      {}});
  }
  Json tcb_levels = Json::array();
  for (const SimulatedTdxLevel& l : levels) {
    Json tcb = {{"sgxtcbcomponents", internal::TcbComponentsJson(l.sgx_components)},
                {"pcesvn", l.pce_svn},
                {"tdxtcbcomponents", internal::TcbComponentsJson(l.tdx_components)}};
    tcb_levels.push_back(internal::TcbLevelJson(std::move(tcb), date, l.status, l.advisory_ids));
  }
  Json tcb_info = {{"id", "TDX"},
                   {"version", 3},
                   {"issueDate", FormatRfc3339(o.issue_date)},
                   {"nextUpdate", FormatRfc3339(o.issue_date + o.collateral_lifetime)},
                   {"fmspc", HexEncodeUpper(o.platform.fmspc)},
                   {"pceId", HexEncodeUpper(o.platform.pce_id)},
                   {"tcbType", 0},
                   {"tcbEvaluationDataNumber", o.tcb_evaluation_data_number},
                   {"tdxModule", Module(options_.module_mrsigner)}};
  if (options_.module_identities) {
    std::vector<SimulatedTdxModuleLevel> module_levels = options_.module_levels;
    if (module_levels.empty()) {
      module_levels.push_back({options_.tee_tcb_svn[0], TcbStatus::kUpToDate, {}});
    }
    std::vector<uint8_t> versions = {options_.tee_tcb_svn[1]};
    versions.insert(versions.end(), options_.extra_module_versions.begin(),
                    options_.extra_module_versions.end());
    Json identities = Json::array();
    for (uint8_t version : versions) {
      Json identity = Module(options_.module_mrsigner);
      identity["id"] = ModuleId(version);
      Json id_levels = Json::array();
      for (const SimulatedTdxModuleLevel& l : module_levels) {
        id_levels.push_back(
            internal::TcbLevelJson({{"isvsvn", l.isv_svn}}, date, l.status, l.advisory_ids));
      }
      identity["tcbLevels"] = std::move(id_levels);
      identities.push_back(std::move(identity));
    }
    tcb_info["tdxModuleIdentities"] = std::move(identities);
  }
  tcb_info["tcbLevels"] = std::move(tcb_levels);
  const SimulatedPki::Parts parts = pki_.ToParts();
  VOUCH_ASSIGN_OR_RETURN(c.tcb_info, internal::SignJson(tcb_info, parts.tcb_signing_key));

  VOUCH_ASSIGN_OR_RETURN(
      c.qe_identity, internal::SignJson(internal::QeIdentityJson("TD_QE", 2, o, options_.qe_levels),
                                        parts.tcb_signing_key));
  return c;
}

TdReport SimulatedTdx::MakeTdReport(bool td15) const {
  TdReport t;
  t.tee_tcb_svn = options_.tee_tcb_svn;
  t.mr_seam.fill(0x5e);
  t.mr_signer_seam = options_.module_mrsigner;
  t.td_attributes[3] = 0x10;  // SEPT_VE_DISABLE
  t.xfam = {0xe7, 0x02, 0x06, 0, 0, 0, 0, 0};
  t.mr_td.fill(0x7d);
  for (size_t i = 0; i < t.rtmr.size(); ++i) t.rtmr[i].fill(static_cast<uint8_t>(0xa0 + i));
  t.report_data.fill(0x42);
  if (td15) {
    t.tee_tcb_svn2 = options_.tee_tcb_svn;
    t.mr_servicetd.emplace();
  }
  return t;
}

StatusOr<Bytes> SimulatedTdx::MakeQuote(const TdReport& td, int version) const {
  if (version != 4 && version != 5) return InvalidArgumentError("TD quotes are version 4 or 5");
  if (version == 4 && td.tee_tcb_svn2) {
    return InvalidArgumentError("a version 4 quote carries a TD 1.0 report");
  }
  Bytes body = EncodeTdReport(td);
  ByteWriter quote;
  quote.WriteU16Le(static_cast<uint16_t>(version));
  quote.WriteU16Le(kAttestationKeyTypeEcdsaP256);
  quote.WriteU32Le(kTeeTypeTdx);
  quote.WriteU32Le(0);  // reserved in TDX headers
  quote.WriteBytes(kIntelQeVendorId);
  quote.WriteZeros(20);  // user data
  if (version == 5) {
    quote.WriteU16Le(static_cast<uint16_t>(td.tee_tcb_svn2 ? QuoteBodyType::kTdReport15
                                                           : QuoteBodyType::kTdReport10));
    quote.WriteU32Le(static_cast<uint32_t>(body.size()));
  }
  quote.WriteBytes(body);
  SimulatedPki::QuoteOptions options;
  options.version = version;
  options.qe_isv_prod_id = 2;
  return pki_.SignQuote(std::move(quote).Finish(), options);
}

}  // namespace vouch::sgx::testing
