// libFuzzer target for both DSSE readers (docs/formats/dsse.md): the generic envelope (and
// Sigstore bundle) reader and the canonical ledger entry reader (checks E1-E8).
//
// Properties checked on every input:
//   * failures are kInvalidArgument with a non-empty reason;
//   * a parsed ledger entry is canonical: rebuilding it from its payload and signatures gives
//     the input bytes, and the generic reader reads the same payload and signatures;
//   * verification against a fixed key never fails with anything but the counting codes.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vouch/base/encoding.h"
#include "vouch/dsse/envelope.h"

namespace {

const vouch::dsse::KeySet& Keys() {
  static const vouch::dsse::KeySet* keys = [] {
    auto* set = new vouch::dsse::KeySet();
    // keys.json "root-1" (RFC 8032 TEST 3).
    auto spki = vouch::HexDecode(
        "302a300506032b6570032100fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025");
    set->Add(*vouch::PublicKeyFromSpki(*spki));
    return set;
  }();
  return *keys;
}

void CheckFailure(const vouch::Status& s) {
  if (s.code() != vouch::StatusCode::kInvalidArgument || s.reason().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto generic = dsse::Envelope::Parse(text);
  if (!generic.ok()) {
    CheckFailure(generic.status());
  } else {
    auto signers = generic->Verify(Keys());
    if (!signers.ok() && signers.status().reason() != dsse::kStatementSignatureInvalid)
      std::abort();
  }
  auto entry = dsse::LedgerEntry::Parse(AsBytes(text));
  if (!entry.ok()) {
    CheckFailure(entry.status());
    return 0;
  }
  auto rebuilt = dsse::LedgerEntry::Create(entry->payload(), entry->signatures());
  if (!rebuilt.ok() || !EqualBytes(rebuilt->bytes(), AsBytes(text))) std::abort();
  if (!generic.ok() || generic->payload() != entry->payload() ||
      generic->signatures() != entry->signatures()) {
    std::abort();
  }
  auto signers = dsse::VerifiedSigners(entry->SignedBytes(), entry->signatures(), Keys());
  if (!signers.ok() && signers.status().reason() != dsse::kStatementSignatureInvalid) std::abort();
  return 0;
}
