#include "vouch/provision/anchors.h"

#include <utility>

#include "dsse/jcs.h"
#include "govern/checker.h"

namespace vouch::provision {

namespace {

using Json = nlohmann::json;
using govern::Checker;
using govern::Child;

Status Malformed(std::string message) {
  return MalformedError(kReasonAnchorsMalformed, std::move(message));
}

}  // namespace

StatusOr<Anchors> Anchors::FromKeys(std::vector<std::shared_ptr<const PublicKeyVerify>> owner_keys,
                                    std::optional<std::string> policy) {
  if (owner_keys.empty() || owner_keys.size() > kMaxAnchorOwnerKeys) {
    return Malformed("/ownerKeys: must have 1 to " + std::to_string(kMaxAnchorOwnerKeys) +
                     " keys, has " + std::to_string(owner_keys.size()));
  }
  dsse::KeySet keys;
  for (size_t i = 0; i < owner_keys.size(); ++i) {
    if (owner_keys[i] == nullptr) return Malformed(Child("/ownerKeys", i) + ": no key");
    if (!keys.Add(std::move(owner_keys[i]))) {
      return Malformed(Child("/ownerKeys", i) + ": the same key twice");
    }
  }
  if (policy && policy->empty()) return Malformed("/policy: empty; give null for none");
  return Anchors(std::move(keys), std::move(policy));
}

StatusOr<Anchors> Anchors::Parse(ByteSpan file) {
  if (file.size() > kMaxAnchorsSize) {
    return Malformed("the file is " + std::to_string(file.size()) + " bytes; at most " +
                     std::to_string(kMaxAnchorsSize) + " are allowed");
  }
  auto doc = vouch::internal::ParseJson(AsStringView(file));
  if (!doc.ok()) return Malformed("not strict JSON: " + doc.status().message());
  Checker c;
  std::string format;
  if (!c.Object(*doc, "", {"format", "ownerKeys", "policy"}, {}, kReasonAnchorsMalformed) ||
      !c.String((*doc)["format"], "/format", &format, kReasonAnchorsMalformed)) {
    return Malformed(c.status().message());
  }
  if (format != kAnchorsFormat) {
    return Malformed("/format: \"" + format + "\" is not \"" + kAnchorsFormat + "\"");
  }
  const Json& owners = (*doc)["ownerKeys"];
  if (!c.Array(owners, "/ownerKeys", 1, kMaxAnchorOwnerKeys)) {
    return Malformed(c.status().message());
  }
  std::vector<std::shared_ptr<const PublicKeyVerify>> keys;
  for (size_t i = 0; i < owners.size(); ++i) {
    govern::Key key;
    if (!c.KeyObject(owners[i], Child("/ownerKeys", i), &key)) {
      return Malformed(c.status().message());
    }
    keys.push_back(std::move(key.key));
  }
  std::optional<std::string> policy;
  const Json& p = (*doc)["policy"];
  if (!p.is_null()) {
    std::string text;
    if (!c.String(p, "/policy", &text, kReasonAnchorsMalformed)) {
      return Malformed(c.status().message());
    }
    policy = std::move(text);
  }
  return FromKeys(std::move(keys), std::move(policy));
}

}  // namespace vouch::provision
