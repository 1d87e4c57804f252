#include "vouch/govern/art30.h"

#include <algorithm>
#include <map>
#include <set>

#include "dsse/jcs.h"
#include "vouch/base/encoding.h"

namespace vouch::govern {

namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

constexpr const char* kRoles[] = {"controller", "joint_controller", "representative", "dpo"};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += items[i];
  }
  return out;
}

std::string TransferText(const ThirdCountryTransfer& t) {
  std::string s = t.destination + ": " + t.safeguards;
  if (t.documentation) s += " (documentation sha256 " + HexEncode(*t.documentation) + ")";
  return s;
}

std::string ErasureText(const ErasureTimeLimit& e) {
  std::string s = e.category + ":";
  if (e.limit) s += " " + *e.limit;
  if (e.note) s += (e.limit ? " (" + *e.note + ")" : " " + *e.note);
  return s;
}

struct Activity {
  const RecordSummary* record;
  std::vector<const AdmissionSummary*> covered;
  size_t in_force = 0;
};

std::vector<Activity> Activities(const std::vector<RecordSummary>& records,
                                 const std::vector<AdmissionSummary>& admissions) {
  std::map<uint64_t, const AdmissionSummary*> by_index;
  for (const AdmissionSummary& a : admissions) by_index[a.entry.index] = &a;
  std::vector<Activity> out;
  for (const RecordSummary& r : records) {
    Activity act{&r, {}, 0};
    for (const EntryRef& ref : r.record.covers) {
      auto it = by_index.find(ref.index);
      if (it == by_index.end()) continue;  // a valid record covers valid admissions only
      act.covered.push_back(it->second);
      act.in_force += it->second->in_force ? 1 : 0;
    }
    out.push_back(std::move(act));
  }
  return out;
}

}  // namespace

const RegisterEntry* Register::Find(const Sha256Digest& digest) const {
  for (const RegisterEntry& e : entries) {
    if (e.digest == digest) return &e;
  }
  return nullptr;
}

StatusOr<Register> ParseRegister(std::string_view json) {
  auto bad = [](const std::string& what) { return MalformedError(kRegisterMalformed, what); };
  internal::JsonReadOptions options;
  options.ascii_keys_only = true;
  auto doc = internal::ParseJson(json, options);
  if (!doc.ok()) return bad("register is not strict JSON: " + doc.status().message());
  const Json& d = *doc;
  if (!d.is_object() || d.size() != 2 || !d.contains("format") || !d.contains("entries") ||
      d["format"] != kRegisterFormat || !d["entries"].is_array()) {
    return bad("expected {\"format\":\"vouch-art30-register/1\",\"entries\":[…]}");
  }
  Register reg;
  std::set<Sha256Digest> seen;
  for (size_t i = 0; i < d["entries"].size(); ++i) {
    const Json& e = d["entries"][i];
    std::string where = "register entry " + std::to_string(i + 1) + ": ";
    if (!e.is_object() || e.size() != 4) {
      return bad(where + "expected exactly role, name, contact and salt");
    }
    for (const char* k : {"role", "name", "contact", "salt"}) {
      if (!e.contains(k) || !e[k].is_string() || e[k].get_ref<const std::string&>().empty()) {
        return bad(where + "\"" + k + "\" must be a non-empty string");
      }
    }
    RegisterEntry r{e["role"], e["name"], e["contact"], e["salt"], {}};
    if (std::find(std::begin(kRoles), std::end(kRoles), r.role) == std::end(kRoles)) {
      return bad(where + "role must be controller, joint_controller, representative or dpo");
    }
    if (r.salt.size() != 64 || !HexDecode(r.salt).ok() ||
        std::any_of(r.salt.begin(), r.salt.end(), [](char c) { return c >= 'A' && c <= 'F'; })) {
      return bad(where + "salt must be 64 lowercase hex digits (random)");
    }
    r.digest = Sha256(AsBytes(*internal::CanonicalJson(e)));
    if (!seen.insert(r.digest).second) return bad(where + "duplicate entry");
    reg.entries.push_back(std::move(r));
  }
  return reg;
}

std::string CsvCell(std::string_view value) {
  std::string v(value);
  if (!v.empty() && std::string_view("=+-@\t\r").find(v[0]) != std::string_view::npos) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Art30Export ExportArt30Csv(const GovernanceState& state, const Register& reg, UnixSeconds at) {
  Art30Export out;
  static constexpr const char* kHeader[] = {"activity_id",
                                            "activity_version",
                                            "record_index",
                                            "record_entry_hash",
                                            "record_issued_on",
                                            "controller",
                                            "joint_controllers",
                                            "representative",
                                            "dpo",
                                            "purposes",
                                            "data_subject_categories",
                                            "personal_data_categories",
                                            "recipient_categories",
                                            "third_country_transfers",
                                            "erasure_time_limits",
                                            "security_measures",
                                            "covered_admissions",
                                            "admissions_in_force",
                                            "releases",
                                            "first_release",
                                            "last_release"};
  auto row = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out.text.push_back(',');
      out.text += CsvCell(cells[i]);
    }
    out.text += "\r\n";
  };
  row(std::vector<std::string>(std::begin(kHeader), std::end(kHeader)));
  std::vector<RecordSummary> records = state.Records();
  std::vector<AdmissionSummary> admissions = state.Admissions(at);
  for (const Activity& act : Activities(records, admissions)) {
    const ProcessingRecord& r = act.record->record;
    const ReleaseTally rel = state.ActivityReleases(r.activity_id);
    std::map<std::string, std::vector<std::string>> by_role;
    for (const ControllerRef& c : r.controllers) {
      const RegisterEntry* e = reg.Find(c.ref);
      if (e == nullptr) {
        out.missing.push_back(HexEncode(c.ref));
        by_role[c.role].push_back("sha256:" + HexEncode(c.ref) + " (not in the register)");
      } else {
        by_role[c.role].push_back(e->name + " \u2014 " + e->contact);
      }
    }
    std::vector<std::string> transfers, erasure, covered;
    for (const auto& t : r.third_country_transfers) transfers.push_back(TransferText(t));
    for (const auto& e : r.erasure_time_limits) erasure.push_back(ErasureText(e));
    for (const AdmissionSummary* a : act.covered) {
      covered.push_back(std::to_string(a->entry.index) + ":" + std::string(RoleName(a->role)) +
                        ":" + a->constraint);
    }
    row({r.activity_id,
         std::to_string(r.activity_version),
         std::to_string(act.record->entry.index),
         HexEncode(act.record->entry.sha256),
         FormatRfc3339(r.issued_on),
         Join(by_role["controller"]),
         Join(by_role["joint_controller"]),
         Join(by_role["representative"]),
         Join(by_role["dpo"]),
         Join(r.purposes),
         Join(r.data_subject_categories),
         Join(r.personal_data_categories),
         Join(r.recipient_categories),
         Join(transfers),
         Join(erasure),
         Join(r.security_measures),
         Join(covered),
         std::to_string(act.in_force),
         std::to_string(rel.releases),
         rel.releases == 0 ? "" : FormatRfc3339(rel.first),
         rel.releases == 0 ? "" : FormatRfc3339(rel.last)});
  }
  return out;
}

Art30Export ExportArt30Json(const GovernanceState& state, const Register& reg,
                            const Art30Checkpoint& checkpoint, UnixSeconds at) {
  Art30Export out;
  OJson doc;
  doc["format"] = "vouch-art30-export/1";
  doc["ledger"] = state.origin() ? OJson(*state.origin()) : OJson(nullptr);
  doc["checkpoint"] = {{"size", checkpoint.size}, {"rootHash", checkpoint.root_hash}};
  doc["generatedAt"] = FormatRfc3339(at);
  doc["activities"] = OJson::array();
  std::vector<RecordSummary> records = state.Records();
  std::vector<AdmissionSummary> admissions = state.Admissions(at);
  for (const Activity& act : Activities(records, admissions)) {
    const ProcessingRecord& r = act.record->record;
    OJson a;
    a["id"] = r.activity_id;
    a["version"] = r.activity_version;
    a["record"] = {{"index", act.record->entry.index},
                   {"sha256", HexEncode(act.record->entry.sha256)},
                   {"issuedOn", FormatRfc3339(r.issued_on)}};
    a["controllers"] = OJson::array();
    for (const ControllerRef& c : r.controllers) {
      const RegisterEntry* e = reg.Find(c.ref);
      OJson ctl = {{"role", c.role}, {"ref", {{"sha256", HexEncode(c.ref)}}}};
      if (e == nullptr) {
        out.missing.push_back(HexEncode(c.ref));
        ctl["name"] = nullptr;
        ctl["contact"] = nullptr;
      } else {
        ctl["name"] = e->name;
        ctl["contact"] = e->contact;
      }
      a["controllers"].push_back(ctl);
    }
    a["purposes"] = r.purposes;
    a["dataSubjectCategories"] = r.data_subject_categories;
    a["personalDataCategories"] = r.personal_data_categories;
    a["recipientCategories"] = r.recipient_categories;
    a["thirdCountryTransfers"] = OJson::array();
    for (const auto& t : r.third_country_transfers) {
      OJson o = {{"destination", t.destination}, {"safeguards", t.safeguards}};
      if (t.documentation) o["documentation"] = {{"sha256", HexEncode(*t.documentation)}};
      a["thirdCountryTransfers"].push_back(o);
    }
    a["erasureTimeLimits"] = OJson::array();
    for (const auto& e : r.erasure_time_limits) {
      OJson o = {{"category", e.category}};
      if (e.limit) o["limit"] = *e.limit;
      if (e.note) o["note"] = *e.note;
      a["erasureTimeLimits"].push_back(o);
    }
    a["securityMeasures"] = r.security_measures;
    if (r.security_documentation) {
      a["securityDocumentation"] = {{"sha256", HexEncode(*r.security_documentation)}};
    }
    a["coveredAdmissions"] = OJson::array();
    for (const AdmissionSummary* adm : act.covered) {
      a["coveredAdmissions"].push_back({{"index", adm->entry.index},
                                        {"sha256", HexEncode(adm->entry.sha256)},
                                        {"role", RoleName(adm->role)},
                                        {"constraint", adm->constraint},
                                        {"inForce", adm->in_force}});
    }
    a["admissionsInForce"] = act.in_force;
    const ReleaseTally rel = state.ActivityReleases(r.activity_id);
    a["releases"] = rel.releases;
    a["firstRelease"] = rel.releases == 0 ? OJson(nullptr) : OJson(FormatRfc3339(rel.first));
    a["lastRelease"] = rel.releases == 0 ? OJson(nullptr) : OJson(FormatRfc3339(rel.last));
    doc["activities"].push_back(std::move(a));
  }
  out.text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return out;
}

}  // namespace vouch::govern
