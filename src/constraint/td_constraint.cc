// TDX constraints (docs/constraints.md, "TDX constraints"): parser, canonical form and Check().
#include "vouch/constraint/td_constraint.h"

#include <utility>
#include <vector>

#include "constraint/common.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

constexpr const char* kTdMalformed = constraint::reasons::kConstraintMalformed;

Status TdMalformed(std::string message) { return MalformedError(kTdMalformed, std::move(message)); }

constexpr std::string_view kRtmrKeys[] = {"RTMR0", "RTMR1", "RTMR2", "RTMR3"};
constexpr std::string_view kTdKeys[] = {
    "TEE",     "MRTD",          "MRSEAM",      "RTMR0",  "RTMR1", "RTMR2", "RTMR3", "MRCONFIGID",
    "MROWNER", "MROWNERCONFIG", "MRSERVICETD", "TDATTR", "XFAM",  "SEC",   "EXPIRE"};
// Keys that may repeat.
bool Repeatable(std::string_view key) { return key == "MRTD" || key == "MRSEAM"; }
bool IsKey(std::string_view key) {
  for (std::string_view k : kTdKeys) {
    if (k == key) return true;
  }
  return false;
}
bool IsConclaveKey(std::string_view key) {
  return key == "C" || key == "S" || key == "PROD" || key == "REVOKE";
}

template <size_t N>
StatusOr<std::array<uint8_t, N>> ParseHexValue(std::string_view key, std::string_view value,
                                               const char* what) {
  if (value.size() != 2 * N) {
    return TdMalformed(std::string(key) + " must be " + std::to_string(2 * N) + " hex digits (" +
                       what + "), got " + std::to_string(value.size()) + ": " + std::string(value));
  }
  auto bytes = HexDecodeArray<N>(value);
  if (!bytes.ok()) {
    return TdMalformed(std::string(key) + " is not hexadecimal: " + std::string(value));
  }
  return std::move(bytes).value();
}

template <size_t N>
bool IsZero(const std::array<uint8_t, N>& a) {
  for (uint8_t b : a) {
    if (b != 0) return false;
  }
  return true;
}

std::string Join(const TdConstraint::HashSet& hashes) {
  std::string out;
  for (const Sha384Hash& h : hashes) out += (out.empty() ? "" : ", ") + HexEncodeUpper(h);
  return out;
}

// A term that requires an exact value: OK, or the rejection naming the field.
template <size_t N>
Status RequireEqual(const std::optional<std::array<uint8_t, N>>& want,
                    const std::array<uint8_t, N>& actual, const char* field, const char* reason) {
  if (!want || *want == actual) return OkStatus();
  return RejectedError(reason, std::string("TD ") + field + " " + HexEncodeUpper(actual) +
                                   " does not match the required " + HexEncodeUpper(*want) + ".");
}

}  // namespace

StatusOr<TdConstraint> TdConstraint::Parse(std::string_view descriptor) {
  // Tokens, as in Conclave constraints: split on U+0020 only, each piece KEY:VALUE.
  VOUCH_ASSIGN_OR_RETURN(auto tokens, constraint_internal::SplitTokens(descriptor));
  std::string unknown;
  bool conclave = false;
  for (const auto& [key, value] : tokens) {
    if (IsKey(key)) continue;
    unknown += (unknown.empty() ? "" : ", ") + std::string(key);
    conclave = conclave || IsConclaveKey(key);
  }
  if (!unknown.empty()) {
    return TdMalformed("Unknown keys [" + unknown + "]" +
                       (conclave ? " (C, S, PROD and REVOKE name SGX enclaves in Conclave "
                                   "constraints; a TDX constraint names a TD by MRTD, RTMR0..3 "
                                   "and the other TD measurements)"
                                 : ""));
  }
  std::vector<std::string_view> seen;
  for (const auto& [key, value] : tokens) {
    if (Repeatable(key)) continue;
    for (std::string_view s : seen) {
      if (s == key) return TdMalformed("More than one " + std::string(key) + " defined");
    }
    seen.push_back(key);
  }

  TdConstraint c;
  bool tee = false;
  for (const auto& [key, value] : tokens) {
    if (key == "TEE") {
      if (value != "TDX") {
        return TdMalformed("TEE:" + std::string(value) +
                           " is not supported: TEE:TDX names an Intel TDX trust domain; SGX "
                           "enclaves are named by Conclave constraints, which have no TEE term");
      }
      tee = true;
    } else if (key == "MRTD" || key == "MRSEAM") {
      VOUCH_ASSIGN_OR_RETURN(Sha384Hash h, ParseHexValue<48>(key, value, "SHA-384"));
      (key == "MRTD" ? c.mr_tds_ : c.mr_seams_).insert(h);
    } else if (key.substr(0, 4) == "RTMR") {
      VOUCH_ASSIGN_OR_RETURN(c.rtmrs_[static_cast<size_t>(key[4] - '0')],
                             ParseHexValue<48>(key, value, "SHA-384"));
    } else if (key == "MRCONFIGID") {
      VOUCH_ASSIGN_OR_RETURN(c.mr_config_id_, ParseHexValue<48>(key, value, "SHA-384"));
    } else if (key == "MROWNER") {
      VOUCH_ASSIGN_OR_RETURN(c.mr_owner_, ParseHexValue<48>(key, value, "SHA-384"));
    } else if (key == "MROWNERCONFIG") {
      VOUCH_ASSIGN_OR_RETURN(c.mr_owner_config_, ParseHexValue<48>(key, value, "SHA-384"));
    } else if (key == "MRSERVICETD") {
      VOUCH_ASSIGN_OR_RETURN(c.mr_servicetd_, ParseHexValue<48>(key, value, "SHA-384"));
    } else if (key == "TDATTR") {
      VOUCH_ASSIGN_OR_RETURN(c.td_attributes_, ParseHexValue<8>(key, value, "8 bytes"));
    } else if (key == "XFAM") {
      VOUCH_ASSIGN_OR_RETURN(c.xfam_, ParseHexValue<8>(key, value, "8 bytes"));
    } else if (key == "SEC") {
      std::optional<SecuritySummary> level = SecuritySummaryFromName(value);
      if (!level) {
        return TdMalformed("SEC must be INSECURE, STALE or SECURE, got " + std::string(value));
      }
      c.min_security_level_ = *level;
    } else if (key == "EXPIRE") {
      auto period = Period::Parse(value);
      if (!period.ok()) return TdMalformed(period.status().message());
      c.max_attestation_age_ = *period;
    }
  }
  if (!tee) return TdMalformed("a TDX constraint starts with TEE:TDX");
  VOUCH_RETURN_IF_ERROR(c.Validate());
  return c;
}

Status TdConstraint::Validate() const {
  if (mr_tds_.empty()) {
    return Status(StatusCode::kFailedPrecondition, "A TDX constraint must name at least one MRTD.",
                  constraint::reasons::kConstraintInvalid);
  }
  return OkStatus();
}

Status TdConstraint::Check(const TdInstanceInfo& td, UnixSeconds now) const {
  VOUCH_RETURN_IF_ERROR(Validate());
  if (mr_tds_.count(td.mr_td) == 0) {
    return RejectedError(constraint::reasons::kMrtdMismatch,
                         "TD MRTD " + HexEncodeUpper(td.mr_td) +
                             " does not match any of the acceptable MRTDs (" + Join(mr_tds_) +
                             ").");
  }
  if (!mr_seams_.empty() && mr_seams_.count(td.mr_seam) == 0) {
    return RejectedError(constraint::reasons::kMrseamMismatch,
                         "TD MRSEAM " + HexEncodeUpper(td.mr_seam) +
                             " does not match any of the acceptable MRSEAMs (" + Join(mr_seams_) +
                             ").");
  }
  for (size_t i = 0; i < 4; ++i) {
    VOUCH_RETURN_IF_ERROR(RequireEqual(rtmrs_[i], td.rtmr[i], kRtmrKeys[i].data(),
                                       constraint::reasons::kRtmrMismatch));
  }
  VOUCH_RETURN_IF_ERROR(RequireEqual(mr_config_id_, td.mr_config_id, "MRCONFIGID",
                                     constraint::reasons::kMrConfigIdMismatch));
  VOUCH_RETURN_IF_ERROR(
      RequireEqual(mr_owner_, td.mr_owner, "MROWNER", constraint::reasons::kMrOwnerMismatch));
  VOUCH_RETURN_IF_ERROR(RequireEqual(mr_owner_config_, td.mr_owner_config, "MROWNERCONFIG",
                                     constraint::reasons::kMrOwnerConfigMismatch));
  VOUCH_RETURN_IF_ERROR(RequireEqual(td_attributes_, td.td_attributes, "TD_ATTRIBUTES",
                                     constraint::reasons::kTdAttributesMismatch));
  VOUCH_RETURN_IF_ERROR(RequireEqual(xfam_, td.xfam, "XFAM", constraint::reasons::kXfamMismatch));
  if (mr_servicetd_) {
    if (!td.mr_servicetd || *td.mr_servicetd != *mr_servicetd_) {
      return RejectedError(constraint::reasons::kServicetdMismatch,
                           "TD is not bound to the required service TD " +
                               HexEncodeUpper(*mr_servicetd_) + " (its MRSERVICETD is " +
                               (td.mr_servicetd ? HexEncodeUpper(*td.mr_servicetd)
                                                : std::string("absent: a TD 1.0 report")) +
                               ").");
    }
  } else if (td.mr_servicetd && !IsZero(*td.mr_servicetd)) {
    return RejectedError(constraint::reasons::kServicetdMismatch,
                         "TD is bound to service TD " + HexEncodeUpper(*td.mr_servicetd) +
                             ", which can act on its behalf; accept it by naming it with "
                             "MRSERVICETD:<hex>.");
  }
  return constraint_internal::CheckSecurityAndAge("TD", td.security, min_security_level_,
                                                  max_attestation_age_, now);
}

std::string TdConstraint::ToString() const {
  std::string out = "TEE:TDX";
  auto add = [&out](std::string_view key, ByteSpan value) {
    out += " " + std::string(key) + ":" + HexEncodeUpper(value);
  };
  for (const Sha384Hash& h : mr_tds_) add("MRTD", h);
  for (const Sha384Hash& h : mr_seams_) add("MRSEAM", h);
  for (size_t i = 0; i < 4; ++i) {
    if (rtmrs_[i]) add(kRtmrKeys[i], *rtmrs_[i]);
  }
  if (mr_config_id_) add("MRCONFIGID", *mr_config_id_);
  if (mr_owner_) add("MROWNER", *mr_owner_);
  if (mr_owner_config_) add("MROWNERCONFIG", *mr_owner_config_);
  if (mr_servicetd_) add("MRSERVICETD", *mr_servicetd_);
  if (td_attributes_) add("TDATTR", *td_attributes_);
  if (xfam_) add("XFAM", *xfam_);
  if (max_attestation_age_) out += " EXPIRE:" + max_attestation_age_->ToString();
  out += " SEC:" + std::string(SecuritySummaryName(min_security_level_));
  return out;
}

}  // namespace vouch
