#include "sgx/simulated_json.h"

#include <algorithm>
#include <utility>

#include "vouch/base/encoding.h"

namespace vouch::sgx::internal {

SimJson TcbComponentsJson(const std::array<uint8_t, 16>& svns) {
  SimJson out = SimJson::array();
  for (uint8_t svn : svns) out.push_back({{"svn", svn}});
  return out;
}

SimJson TcbLevelJson(SimJson tcb, UnixSeconds date, TcbStatus status,
                     const std::vector<std::string>& advisory_ids) {
  SimJson level = {{"tcb", std::move(tcb)},
                   {"tcbDate", FormatRfc3339(date)},
                   {"tcbStatus", TcbStatusName(status)}};
  if (!advisory_ids.empty()) level["advisoryIDs"] = advisory_ids;
  return level;
}

SimJson QeIdentityJson(const char* id, int isv_prod_id, const SimulatedPkiOptions& o,
                       const std::vector<SimulatedQeLevel>& levels) {
  std::vector<SimulatedQeLevel> qe_levels = levels;
  if (qe_levels.empty()) qe_levels.push_back({o.qe_isv_svn, TcbStatus::kUpToDate, {}});
  SimJson tcb_levels = SimJson::array();
  for (const SimulatedQeLevel& l : qe_levels) {
    tcb_levels.push_back(
        TcbLevelJson({{"isvsvn", l.isv_svn}}, o.issue_date - 86400, l.status, l.advisory_ids));
  }
  return {{"id", id},
          {"version", 2},
          {"issueDate", FormatRfc3339(o.issue_date)},
          {"nextUpdate", FormatRfc3339(o.issue_date + o.collateral_lifetime)},
          {"tcbEvaluationDataNumber", o.tcb_evaluation_data_number},
          {"miscselect", "00000000"},
          {"miscselectMask", "FFFFFFFF"},
          {"attributes", "11000000000000000000000000000000"},
          {"attributesMask", "FBFFFFFFFFFFFFFF0000000000000000"},
          {"mrsigner", HexEncodeUpper(o.qe_mr_signer)},
          {"isvprodid", isv_prod_id},
          {"tcbLevels", std::move(tcb_levels)}};
}

StatusOr<SignedJson> SignJson(const SimJson& document, const EcdsaP256PrivateKey& key) {
  SignedJson out;
  out.body = ToBytes(std::string_view(document.dump()));
  VOUCH_ASSIGN_OR_RETURN(Bytes sig, key.SignRaw(out.body));
  std::copy(sig.begin(), sig.end(), out.signature.begin());
  return out;
}

}  // namespace vouch::sgx::internal
