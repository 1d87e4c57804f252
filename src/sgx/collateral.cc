#include "vouch/sgx/collateral.h"

#include <simdjson.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <limits>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

using reasons::kCollateralMalformed;

Status Malformed(const std::string& what, const std::string& message) {
  return MalformedError(kCollateralMalformed, what + ": " + message);
}

// Typed field access with messages that name the field. All failures are kInvalidArgument.
// Intel's documents never repeat a key; a repeated key is rejected rather than resolved.
//
// `what` names the object in messages; it is borrowed and must outlive the Fields. Nothing is
// allocated unless there is an error: these run for every one of the ~200 objects of a TCB Info.
class Fields {
 public:
  static StatusOr<Fields> Of(element e, const std::string& what) {
    object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) return Malformed(what, "not a JSON object");
    for (auto a = obj.begin(); a != obj.end(); ++a) {
      auto b = a;
      for (++b; b != obj.end(); ++b) {
        if ((*a).key == (*b).key) {
          return Malformed(what, "repeated key \"" + std::string((*a).key) + "\"");
        }
      }
    }
    return Fields(obj, what);
  }

  bool Has(const char* key) const {
    element e;
    return obj_.at_key(key).get(e) == simdjson::SUCCESS;
  }
  StatusOr<element> Get(const char* key) const {
    element e;
    if (obj_.at_key(key).get(e) != simdjson::SUCCESS) {
      return Error(std::string("missing \"") + key + "\"");
    }
    return e;
  }
  StatusOr<std::string> String(const char* key) const {
    VOUCH_ASSIGN_OR_RETURN(element e, Get(key));
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS) {
      return Error(std::string("\"") + key + "\" must be a string");
    }
    return std::string(v);
  }
  StatusOr<int64_t> Int(const char* key, int64_t min, int64_t max) const {
    VOUCH_ASSIGN_OR_RETURN(element e, Get(key));
    int64_t v;
    if (e.get_int64().get(v) != simdjson::SUCCESS) {
      return Error(std::string("\"") + key + "\" must be an integer");
    }
    if (v < min || v > max) {
      return Error(std::string("\"") + key + "\" = " + std::to_string(v) + " is outside " +
                   std::to_string(min) + ".." + std::to_string(max));
    }
    return v;
  }
  StatusOr<UnixSeconds> Time(const char* key) const {
    VOUCH_ASSIGN_OR_RETURN(std::string s, String(key));
    auto t = ParseRfc3339(s);
    if (!t.ok()) return Error(std::string("\"") + key + "\": " + t.status().message());
    return t;
  }
  template <size_t N>
  StatusOr<std::array<uint8_t, N>> Hex(const char* key) const {
    VOUCH_ASSIGN_OR_RETURN(std::string s, String(key));
    auto v = HexDecodeArray<N>(s);
    if (!v.ok()) return Error(std::string("\"") + key + "\": " + v.status().message());
    return v;
  }
  StatusOr<TcbStatus> Status(const char* key) const {
    VOUCH_ASSIGN_OR_RETURN(std::string s, String(key));
    auto v = ParseTcbStatus(s);
    if (!v.ok()) return Error(v.status().message());
    return v;
  }
  StatusOr<array> Array(const char* key) const {
    VOUCH_ASSIGN_OR_RETURN(element e, Get(key));
    array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) {
      return Error(std::string("\"") + key + "\" must be an array");
    }
    return a;
  }
  StatusOr<std::vector<std::string>> OptionalStrings(const char* key) const {
    std::vector<std::string> out;
    if (!Has(key)) return out;
    VOUCH_ASSIGN_OR_RETURN(array a, Array(key));
    for (element item : a) {
      std::string_view v;
      if (item.get_string().get(v) != simdjson::SUCCESS) {
        return Error(std::string("\"") + key + "\" must hold strings");
      }
      out.emplace_back(v);
    }
    return out;
  }
  ::vouch::Status Error(const std::string& message) const { return Malformed(what_, message); }

 private:
  Fields(object obj, const std::string& what) : obj_(obj), what_(what) {}
  object obj_;
  const std::string& what_;
};

// Parses `json` into `parser`'s document. The parser owns the DOM; keep it alive while using
// the returned element.
StatusOr<element> ParseDocument(simdjson::dom::parser& parser, ByteSpan json,
                                const std::string& what) {
  element doc;
  auto error = parser
                   .parse(reinterpret_cast<const char*>(json.data()), json.size(),
                          /*realloc_if_needed=*/true)
                   .get(doc);
  if (error != simdjson::SUCCESS) {
    return Malformed(what, std::string("not valid JSON (") + simdjson::error_message(error) + ")");
  }
  return doc;
}

// `key`: an array of 16 objects {"svn": 0..255, …} (sgxtcbcomponents, tdxtcbcomponents).
Status ParseComponents(const Fields& tcb, const char* key, const std::string& what,
                       std::array<uint8_t, 16>* out) {
  VOUCH_ASSIGN_OR_RETURN(array comps, tcb.Array(key));
  if (comps.size() != 16) return tcb.Error(std::string("\"") + key + "\" must have 16 entries");
  size_t i = 0;
  for (element c : comps) {
    VOUCH_ASSIGN_OR_RETURN(Fields cf, Fields::Of(c, what));
    VOUCH_ASSIGN_OR_RETURN(int64_t svn, cf.Int("svn", 0, 255));
    (*out)[i++] = static_cast<uint8_t>(svn);
  }
  return OkStatus();
}

StatusOr<TcbLevel> ParseTcbLevel(element level_element, int version, bool tdx, size_t index) {
  const std::string what = "TCB Info tcbLevels[" + std::to_string(index) + "]";
  VOUCH_ASSIGN_OR_RETURN(Fields f, Fields::Of(level_element, what));
  TcbLevel out;
  VOUCH_ASSIGN_OR_RETURN(element tcb_element, f.Get("tcb"));
  const std::string tcb_what = what + ".tcb";
  VOUCH_ASSIGN_OR_RETURN(Fields t, Fields::Of(tcb_element, tcb_what));
  if (version == 2) {
    for (size_t i = 0; i < 16; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "sgxtcbcomp%02zusvn", i + 1);
      VOUCH_ASSIGN_OR_RETURN(int64_t svn, t.Int(key, 0, 255));
      out.sgx_components[i] = static_cast<uint8_t>(svn);
    }
  } else {
    VOUCH_RETURN_IF_ERROR(ParseComponents(t, "sgxtcbcomponents", what + ".tcb.sgxtcbcomponents",
                                          &out.sgx_components));
    if (tdx) {
      VOUCH_RETURN_IF_ERROR(ParseComponents(t, "tdxtcbcomponents", what + ".tcb.tdxtcbcomponents",
                                            &out.tdx_components));
    }
  }
  VOUCH_ASSIGN_OR_RETURN(int64_t pcesvn, t.Int("pcesvn", 0, 65535));
  out.pce_svn = static_cast<uint16_t>(pcesvn);
  VOUCH_ASSIGN_OR_RETURN(out.tcb_date, f.Time("tcbDate"));
  VOUCH_ASSIGN_OR_RETURN(out.status, f.Status("tcbStatus"));
  VOUCH_ASSIGN_OR_RETURN(out.advisory_ids, f.OptionalStrings("advisoryIDs"));
  return out;
}

// Intel's TcbLevel::operator>: SGX components, then PCESVN, then (TDX) the TDX components;
// the TDX components are all zero in SGX TCB Info.
bool ComponentsThenPceGreater(const TcbLevel& a, const TcbLevel& b) {
  if (a.sgx_components != b.sgx_components) return a.sgx_components > b.sgx_components;
  if (a.pce_svn != b.pce_svn) return a.pce_svn > b.pce_svn;
  return a.tdx_components > b.tdx_components;
}

// {"tcb":{"isvsvn":n},"tcbDate":…,"tcbStatus":…,"advisoryIDs"?:[…]}: a QE Identity level or a
// TDX module level.
StatusOr<QeTcbLevel> ParseIsvSvnLevel(element level, const std::string& what) {
  VOUCH_ASSIGN_OR_RETURN(Fields lf, Fields::Of(level, what));
  VOUCH_ASSIGN_OR_RETURN(element tcb, lf.Get("tcb"));
  const std::string tcb_what = what + ".tcb";
  VOUCH_ASSIGN_OR_RETURN(Fields tf, Fields::Of(tcb, tcb_what));
  QeTcbLevel out;
  VOUCH_ASSIGN_OR_RETURN(int64_t isvsvn, tf.Int("isvsvn", 0, 65535));
  out.isv_svn = static_cast<uint16_t>(isvsvn);
  VOUCH_ASSIGN_OR_RETURN(out.tcb_date, lf.Time("tcbDate"));
  VOUCH_ASSIGN_OR_RETURN(out.status, lf.Status("tcbStatus"));
  VOUCH_ASSIGN_OR_RETURN(out.advisory_ids, lf.OptionalStrings("advisoryIDs"));
  return out;
}

// `tdxModule` or an entry of `tdxModuleIdentities`: mrsigner (96 hex), attributes and
// attributesMask (16 hex each).
StatusOr<TdxModule> ParseTdxModule(const Fields& f) {
  TdxModule m;
  VOUCH_ASSIGN_OR_RETURN(m.mrsigner, f.Hex<48>("mrsigner"));
  VOUCH_ASSIGN_OR_RETURN(m.attributes, f.Hex<8>("attributes"));
  VOUCH_ASSIGN_OR_RETURN(m.attributes_mask, f.Hex<8>("attributesMask"));
  return m;
}

StatusOr<TdxModuleIdentity> ParseTdxModuleIdentity(element e, size_t index) {
  const std::string what = "TCB Info tdxModuleIdentities[" + std::to_string(index) + "]";
  VOUCH_ASSIGN_OR_RETURN(Fields f, Fields::Of(e, what));
  TdxModuleIdentity out;
  VOUCH_ASSIGN_OR_RETURN(out.id, f.String("id"));
  VOUCH_ASSIGN_OR_RETURN(out.module, ParseTdxModule(f));
  VOUCH_ASSIGN_OR_RETURN(array levels, f.Array("tcbLevels"));
  if (levels.size() == 0) return f.Error("\"tcbLevels\" must not be empty");
  size_t i = 0;
  for (element level : levels) {
    const std::string level_what = what + ".tcbLevels[" + std::to_string(i++) + "]";
    VOUCH_ASSIGN_OR_RETURN(TdxModuleTcbLevel l, ParseIsvSvnLevel(level, level_what));
    if (l.status != TcbStatus::kUpToDate && l.status != TcbStatus::kOutOfDate &&
        l.status != TcbStatus::kRevoked) {
      return Malformed(level_what, "a TDX module's tcbStatus is UpToDate, OutOfDate or Revoked");
    }
    for (const TdxModuleTcbLevel& seen : out.levels) {
      // Intel's QVL rejects duplicated module levels ("Detected duplicated TDX Module Identity
      // TCB levels"): its set is ordered by ISVSVN alone.
      if (seen.isv_svn == l.isv_svn) {
        return Malformed(level_what, "repeats isvsvn " + std::to_string(l.isv_svn));
      }
    }
    out.levels.push_back(std::move(l));
  }
  std::sort(
      out.levels.begin(), out.levels.end(),
      [](const TdxModuleTcbLevel& a, const TdxModuleTcbLevel& b) { return a.isv_svn > b.isv_svn; });
  return out;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index one past the '}' matching the '{' at `start`, skipping string literals; npos if none.
size_t MatchingBrace(std::string_view s, size_t start) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = start; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string_view TcbStatusName(TcbStatus status) {
  switch (status) {
    case TcbStatus::kUpToDate:
      return "UpToDate";
    case TcbStatus::kSwHardeningNeeded:
      return "SWHardeningNeeded";
    case TcbStatus::kConfigurationNeeded:
      return "ConfigurationNeeded";
    case TcbStatus::kConfigurationAndSwHardeningNeeded:
      return "ConfigurationAndSWHardeningNeeded";
    case TcbStatus::kOutOfDate:
      return "OutOfDate";
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return "OutOfDateConfigurationNeeded";
    case TcbStatus::kRevoked:
      return "Revoked";
  }
  return "Unknown";
}

std::string_view IntelQvResultName(TcbStatus status) {
  switch (status) {
    case TcbStatus::kUpToDate:
      return "SGX_QL_QV_RESULT_OK";
    case TcbStatus::kSwHardeningNeeded:
      return "SGX_QL_QV_RESULT_SW_HARDENING_NEEDED";
    case TcbStatus::kConfigurationNeeded:
      return "SGX_QL_QV_RESULT_CONFIG_NEEDED";
    case TcbStatus::kConfigurationAndSwHardeningNeeded:
      return "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED";
    case TcbStatus::kOutOfDate:
      return "SGX_QL_QV_RESULT_OUT_OF_DATE";
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED";
    case TcbStatus::kRevoked:
      return "SGX_QL_QV_RESULT_REVOKED";
  }
  return "SGX_QL_QV_RESULT_UNSPECIFIED";
}

StatusOr<TcbStatus> ParseTcbStatus(std::string_view name) {
  for (TcbStatus s :
       {TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded, TcbStatus::kConfigurationNeeded,
        TcbStatus::kConfigurationAndSwHardeningNeeded, TcbStatus::kOutOfDate,
        TcbStatus::kOutOfDateConfigurationNeeded, TcbStatus::kRevoked}) {
    if (TcbStatusName(s) == name) return s;
  }
  return InvalidArgumentError("unknown TCB status \"" + std::string(name) + "\"");
}

StatusOr<TcbInfo> TcbInfo::Parse(ByteSpan json) {
  // One parser per thread: it keeps its buffers between documents.
  thread_local simdjson::dom::parser parser;
  static const std::string kWhat = "TCB Info";
  VOUCH_ASSIGN_OR_RETURN(element doc, ParseDocument(parser, json, kWhat));
  VOUCH_ASSIGN_OR_RETURN(Fields f, Fields::Of(doc, kWhat));
  TcbInfo info;
  VOUCH_ASSIGN_OR_RETURN(int64_t version, f.Int("version", 0, 1000));
  if (version != 2 && version != 3) {
    return MalformedError(
        reasons::kTcbInfoUnsupported,
        "TCB Info version " + std::to_string(version) + " is not supported (2 or 3)");
  }
  info.version_ = static_cast<int>(version);
  if (version == 3) {
    VOUCH_ASSIGN_OR_RETURN(info.id_, f.String("id"));
  } else if (f.Has("id")) {
    return f.Error("version 2 TCB Info must not carry \"id\"");
  }
  const bool tdx = info.id_ == "TDX";
  VOUCH_ASSIGN_OR_RETURN(info.issue_date_, f.Time("issueDate"));
  VOUCH_ASSIGN_OR_RETURN(info.next_update_, f.Time("nextUpdate"));
  VOUCH_ASSIGN_OR_RETURN(info.fmspc_, f.Hex<6>("fmspc"));
  VOUCH_ASSIGN_OR_RETURN(info.pce_id_, f.Hex<2>("pceId"));
  VOUCH_ASSIGN_OR_RETURN(int64_t tcb_type, f.Int("tcbType", 0, 255));
  info.tcb_type_ = static_cast<int>(tcb_type);
  VOUCH_ASSIGN_OR_RETURN(info.tcb_evaluation_data_number_,
                         f.Int("tcbEvaluationDataNumber", 0, std::numeric_limits<uint32_t>::max()));
  VOUCH_ASSIGN_OR_RETURN(array levels, f.Array("tcbLevels"));
  if (levels.size() == 0) return f.Error("\"tcbLevels\" must not be empty");
  size_t i = 0;
  for (element level : levels) {
    VOUCH_ASSIGN_OR_RETURN(TcbLevel parsed, ParseTcbLevel(level, info.version_, tdx, i++));
    info.levels_.push_back(std::move(parsed));
  }
  std::stable_sort(info.levels_.begin(), info.levels_.end(), ComponentsThenPceGreater);
  if (tdx) {
    VOUCH_ASSIGN_OR_RETURN(element module, f.Get("tdxModule"));
    static const std::string kModuleWhat = "TCB Info tdxModule";
    VOUCH_ASSIGN_OR_RETURN(Fields mf, Fields::Of(module, kModuleWhat));
    VOUCH_ASSIGN_OR_RETURN(info.tdx_module_, ParseTdxModule(mf));
    if (f.Has("tdxModuleIdentities")) {
      VOUCH_ASSIGN_OR_RETURN(array identities, f.Array("tdxModuleIdentities"));
      size_t j = 0;
      for (element identity : identities) {
        VOUCH_ASSIGN_OR_RETURN(TdxModuleIdentity parsed, ParseTdxModuleIdentity(identity, j++));
        info.tdx_module_identities_.push_back(std::move(parsed));
      }
    }
  }
  return info;
}

StatusOr<QeIdentity> QeIdentity::Parse(ByteSpan json) {
  // One parser per thread: it keeps its buffers between documents.
  thread_local simdjson::dom::parser parser;
  static const std::string kWhat = "QE Identity";
  VOUCH_ASSIGN_OR_RETURN(element doc, ParseDocument(parser, json, kWhat));
  VOUCH_ASSIGN_OR_RETURN(Fields f, Fields::Of(doc, kWhat));
  QeIdentity qe;
  VOUCH_ASSIGN_OR_RETURN(qe.id_, f.String("id"));
  VOUCH_ASSIGN_OR_RETURN(int64_t version, f.Int("version", 0, 1000));
  qe.version_ = static_cast<int>(version);
  VOUCH_ASSIGN_OR_RETURN(qe.issue_date_, f.Time("issueDate"));
  VOUCH_ASSIGN_OR_RETURN(qe.next_update_, f.Time("nextUpdate"));
  VOUCH_ASSIGN_OR_RETURN(qe.tcb_evaluation_data_number_,
                         f.Int("tcbEvaluationDataNumber", 0, std::numeric_limits<uint32_t>::max()));
  VOUCH_ASSIGN_OR_RETURN(qe.miscselect_, f.Hex<4>("miscselect"));
  VOUCH_ASSIGN_OR_RETURN(qe.miscselect_mask_, f.Hex<4>("miscselectMask"));
  VOUCH_ASSIGN_OR_RETURN(qe.attributes_, f.Hex<16>("attributes"));
  VOUCH_ASSIGN_OR_RETURN(qe.attributes_mask_, f.Hex<16>("attributesMask"));
  VOUCH_ASSIGN_OR_RETURN(qe.mrsigner_, f.Hex<32>("mrsigner"));
  VOUCH_ASSIGN_OR_RETURN(int64_t prod, f.Int("isvprodid", 0, 65535));
  qe.isv_prod_id_ = static_cast<uint16_t>(prod);
  VOUCH_ASSIGN_OR_RETURN(array levels, f.Array("tcbLevels"));
  if (levels.size() == 0) return f.Error("\"tcbLevels\" must not be empty");
  size_t i = 0;
  for (element level : levels) {
    VOUCH_ASSIGN_OR_RETURN(QeTcbLevel out, ParseIsvSvnLevel(level, "QE Identity tcbLevels[" +
                                                                       std::to_string(i++) + "]"));
    qe.levels_.push_back(std::move(out));
  }
  std::stable_sort(qe.levels_.begin(), qe.levels_.end(),
                   [](const QeTcbLevel& a, const QeTcbLevel& b) {
                     if (a.isv_svn != b.isv_svn) return a.isv_svn > b.isv_svn;
                     return a.tcb_date > b.tcb_date;
                   });
  return qe;
}

StatusOr<SignedJson> ExtractSignedJson(std::string_view body, std::string_view member) {
  const std::string what = "PCS " + std::string(member) + " response";
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < body.size() && IsJsonSpace(body[pos])) ++pos;
  };
  auto expect = [&](std::string_view token) {
    skip_space();
    if (body.substr(pos, token.size()) != token) return false;
    pos += token.size();
    return true;
  };
  if (!expect("{") || !expect("\"" + std::string(member) + "\"") || !expect(":")) {
    return Malformed(what, "must start with {\"" + std::string(member) + "\":");
  }
  skip_space();
  if (pos >= body.size() || body[pos] != '{') return Malformed(what, "member is not an object");
  size_t end = MatchingBrace(body, pos);
  if (end == std::string_view::npos) return Malformed(what, "unterminated object");
  SignedJson out;
  out.body.assign(body.begin() + static_cast<std::ptrdiff_t>(pos),
                  body.begin() + static_cast<std::ptrdiff_t>(end));
  pos = end;
  constexpr std::string_view kSignature = ",\"signature\":\"";
  if (body.substr(pos, kSignature.size()) != kSignature) {
    return Malformed(what, ",\"signature\":\" must follow the signed object");
  }
  pos += kSignature.size();
  auto sig = HexDecodeArray<64>(body.substr(pos, 128));
  if (!sig.ok()) return Malformed(what, "signature must be 128 hex digits");
  out.signature = *sig;
  pos += 128;
  if (!expect("\"") || !expect("}")) return Malformed(what, "unexpected text after the signature");
  skip_space();
  if (pos != body.size()) return Malformed(what, "trailing data after the response object");
  return out;
}

StatusOr<Bytes> DecodeDerOrHex(ByteSpan data) {
  if (!data.empty() && data[0] == 0x30) return ToBytes(data);
  std::string_view text = AsStringView(data);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  auto decoded = HexDecode(text);
  if (!decoded.ok() || decoded->empty() || (*decoded)[0] != 0x30) {
    return InvalidArgumentError("neither DER nor hex-encoded DER");
  }
  return decoded;
}

namespace {

// Where the files of a collateral come from: `read(name)` gives a file's bytes, kNotFound when
// it is missing; `where` names the source in messages.
struct FileSource {
  std::string where;
  std::function<StatusOr<Bytes>(const std::string& name)> read;
};

StatusOr<SignedJson> ReadSignedJson(const FileSource& src, const std::string& stem,
                                    std::string_view member) {
  auto json = src.read(stem + ".json");
  if (json.ok()) {
    VOUCH_ASSIGN_OR_RETURN(Bytes sig, src.read(stem + "_signature.bin"));
    if (sig.size() != 64) {
      return Malformed(stem + "_signature.bin",
                       "must hold 64 bytes r||s, has " + std::to_string(sig.size()));
    }
    SignedJson out;
    out.body = std::move(*json);
    std::copy(sig.begin(), sig.end(), out.signature.begin());
    return out;
  }
  if (json.status().code() != StatusCode::kNotFound) return json.status();
  auto response = src.read(stem + "_response.json");
  if (!response.ok()) {
    if (response.status().code() == StatusCode::kNotFound) {
      return NotFoundError(src.where + " has neither " + stem + ".json nor " + stem +
                           "_response.json");
    }
    return response.status();
  }
  return ExtractSignedJson(AsStringView(*response), member);
}

StatusOr<std::string> ReadText(const FileSource& src, const std::string& name) {
  VOUCH_ASSIGN_OR_RETURN(Bytes b, src.read(name));
  return std::string(b.begin(), b.end());
}

StatusOr<Collateral> ReadCollateral(const FileSource& src) {
  Collateral c;
  VOUCH_ASSIGN_OR_RETURN(Bytes root_crl, src.read("root_ca_crl.der"));
  auto decoded = DecodeDerOrHex(root_crl);
  if (!decoded.ok()) return Malformed("root_ca_crl.der", decoded.status().message());
  c.root_ca_crl = std::move(*decoded);
  VOUCH_ASSIGN_OR_RETURN(c.pck_crl, src.read("pck_crl.der"));
  auto pck_crl = DecodeDerOrHex(c.pck_crl);
  if (!pck_crl.ok()) return Malformed("pck_crl.der", pck_crl.status().message());
  c.pck_crl = std::move(*pck_crl);
  VOUCH_ASSIGN_OR_RETURN(c.pck_crl_issuer_chain, ReadText(src, "pck_crl_issuer_chain.pem"));
  VOUCH_ASSIGN_OR_RETURN(c.tcb_info, ReadSignedJson(src, "tcb_info", "tcbInfo"));
  VOUCH_ASSIGN_OR_RETURN(c.tcb_info_issuer_chain, ReadText(src, "tcb_info_issuer_chain.pem"));
  VOUCH_ASSIGN_OR_RETURN(c.qe_identity, ReadSignedJson(src, "qe_identity", "enclaveIdentity"));
  VOUCH_ASSIGN_OR_RETURN(c.qe_identity_issuer_chain, ReadText(src, "qe_identity_issuer_chain.pem"));
  auto pck_chain = ReadText(src, "pck_cert_chain.pem");
  if (pck_chain.ok()) {
    c.pck_cert_chain = std::move(*pck_chain);
  } else if (pck_chain.status().code() != StatusCode::kNotFound) {
    return pck_chain.status();
  }
  return c;
}

}  // namespace

StatusOr<Collateral> ReadCollateralDirectory(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return NotFoundError("collateral directory " + dir + " does not exist");
  }
  if (!S_ISDIR(st.st_mode)) {
    return NotFoundError(dir + " is a file, not a collateral directory (a directory holding " +
                         "tcb_info.json, qe_identity.json, the CRLs and their issuer chains; " +
                         "docs/collateral.md)");
  }
  return ReadCollateral({"collateral directory " + dir,
                         [&dir](const std::string& name) { return ReadFile(dir + "/" + name); }});
}

StatusOr<Collateral> CollateralFromFiles(const std::vector<std::pair<std::string, Bytes>>& files) {
  return ReadCollateral({"the collateral", [&files](const std::string& name) -> StatusOr<Bytes> {
                           for (const auto& [n, data] : files) {
                             if (n == name) return data;
                           }
                           return NotFoundError("the collateral has no file " + name);
                         }});
}

std::vector<std::pair<std::string, Bytes>> CollateralFiles(const Collateral& c) {
  auto response = [](std::string_view member, const SignedJson& s) {
    return ToBytes("{\"" + std::string(member) + "\":" + std::string(AsStringView(s.body)) +
                   ",\"signature\":\"" + HexEncode(s.signature) + "\"}");
  };
  std::vector<std::pair<std::string, Bytes>> files = {
      {"root_ca_crl.der", c.root_ca_crl},
      {"pck_crl.der", c.pck_crl},
      {"pck_crl_issuer_chain.pem", ToBytes(c.pck_crl_issuer_chain)},
      {"tcb_info.json", c.tcb_info.body},
      {"tcb_info_signature.bin", ToBytes(c.tcb_info.signature)},
      {"tcb_info_issuer_chain.pem", ToBytes(c.tcb_info_issuer_chain)},
      {"tcb_info_response.json", response("tcbInfo", c.tcb_info)},
      {"qe_identity.json", c.qe_identity.body},
      {"qe_identity_signature.bin", ToBytes(c.qe_identity.signature)},
      {"qe_identity_issuer_chain.pem", ToBytes(c.qe_identity_issuer_chain)},
      {"qe_identity_response.json", response("enclaveIdentity", c.qe_identity)},
  };
  if (c.pck_cert_chain) files.emplace_back("pck_cert_chain.pem", ToBytes(*c.pck_cert_chain));
  return files;
}

Status WriteCollateralDirectory(const Collateral& c, const std::string& dir) {
  ::mkdir(dir.c_str(), 0755);
  for (const auto& [name, data] : CollateralFiles(c)) {
    VOUCH_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + name, data, 0644));
  }
  return OkStatus();
}

}  // namespace vouch::sgx
