#include "vouch/provision/anchors.h"

#include <utility>

#include "dsse/jcs.h"
#include "govern/checker.h"

namespace vouch::provision {

namespace {

using Json = nlohmann::json;
using govern::Checker;
using govern::Child;

Status AnchorsMalformed(std::string message) {
  return MalformedError(kReasonAnchorsMalformed, std::move(message));
}

}  // namespace

StatusOr<Anchors> Anchors::FromKeys(std::vector<std::shared_ptr<const PublicKeyVerify>> owner_keys,
                                    std::optional<std::string> policy) {
  if (owner_keys.empty() || owner_keys.size() > kMaxAnchorOwnerKeys) {
    return AnchorsMalformed("/ownerKeys: must have 1 to " + std::to_string(kMaxAnchorOwnerKeys) +
                            " keys, has " + std::to_string(owner_keys.size()));
  }
  dsse::KeySet keys;
  for (size_t i = 0; i < owner_keys.size(); ++i) {
    if (owner_keys[i] == nullptr) return AnchorsMalformed(Child("/ownerKeys", i) + ": no key");
    if (!keys.Add(std::move(owner_keys[i]))) {
      return AnchorsMalformed(Child("/ownerKeys", i) + ": the same key twice");
    }
  }
  if (policy && policy->empty()) return AnchorsMalformed("/policy: empty; give null for none");
  return Anchors(std::move(keys), std::move(policy));
}

StatusOr<Anchors> Anchors::Parse(ByteSpan file) {
  if (file.size() > kMaxAnchorsSize) {
    return AnchorsMalformed("the file is " + std::to_string(file.size()) + " bytes; at most " +
                            std::to_string(kMaxAnchorsSize) + " are allowed");
  }
  auto doc = vouch::internal::ParseJson(AsStringView(file));
  if (!doc.ok()) return AnchorsMalformed("not strict JSON: " + doc.status().message());
  Checker c;
  std::string format;
  if (!c.Object(*doc, "", {"format", "ownerKeys", "policy"}, {}, kReasonAnchorsMalformed) ||
      !c.String((*doc)["format"], "/format", &format, kReasonAnchorsMalformed)) {
    return AnchorsMalformed(c.status().message());
  }
  if (format != kAnchorsFormat) {
    return AnchorsMalformed("/format: \"" + format + "\" is not \"" + kAnchorsFormat + "\"");
  }
  const Json& owners = (*doc)["ownerKeys"];
  if (!c.Array(owners, "/ownerKeys", 1, kMaxAnchorOwnerKeys)) {
    return AnchorsMalformed(c.status().message());
  }
  std::vector<std::shared_ptr<const PublicKeyVerify>> keys;
  for (size_t i = 0; i < owners.size(); ++i) {
    govern::Key key;
    if (!c.KeyObject(owners[i], Child("/ownerKeys", i), &key)) {
      return AnchorsMalformed(c.status().message());
    }
    keys.push_back(std::move(key.key));
  }
  std::optional<std::string> policy;
  const Json& p = (*doc)["policy"];
  if (!p.is_null()) {
    std::string text;
    if (!c.String(p, "/policy", &text, kReasonAnchorsMalformed)) {
      return AnchorsMalformed(c.status().message());
    }
    policy = std::move(text);
  }
  return FromKeys(std::move(keys), std::move(policy));
}

}  // namespace vouch::provision
