#include "vouch/dsse/self_signed.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"

namespace vouch::dsse {
namespace {

std::unique_ptr<LocalSigningKey> Key(uint8_t seed_byte) {
  return std::move(LocalSigningKey::FromEd25519Seed(Bytes(32, seed_byte))).value();
}

LedgerEntry Entry(const std::vector<const LocalSigningKey*>& signers, const std::string& text) {
  const std::string payload = R"({"n":")" + text + R"("})";
  std::vector<Signature> sigs;
  for (const LocalSigningKey* k : signers) {
    sigs.push_back(std::move(SignPayload(*k, kInTotoPayloadType, AsBytes(payload))).value());
  }
  return std::move(LedgerEntry::Create(AsBytes(payload), std::move(sigs))).value();
}

TEST(SelfSignedEntriesTest, KnowsAnEntryByItsBytesAndItsKey) {
  auto mine = Key(1);
  auto theirs = Key(2);
  SelfSignedEntries known;
  const LedgerEntry a = Entry({mine.get()}, "a");
  const LedgerEntry b = Entry({mine.get()}, "b");
  known.Add(mine->verifier(), a);
  EXPECT_TRUE(known.Contains(mine->verifier(), a.entry_hash()));
  EXPECT_FALSE(known.Contains(theirs->verifier(), a.entry_hash()));  // another key
  EXPECT_FALSE(known.Contains(mine->verifier(), b.entry_hash()));    // other bytes
  // Only entries with one signature are recorded.
  const LedgerEntry both = Entry({mine.get(), theirs.get()}, "both");
  known.Add(mine->verifier(), both);
  EXPECT_FALSE(known.Contains(mine->verifier(), both.entry_hash()));
}

TEST(SelfSignedEntriesTest, ForgetsTheOldestPastItsCapacity) {
  auto mine = Key(1);
  SelfSignedEntries known(2);
  std::vector<LedgerEntry> entries;
  for (int i = 0; i < 3; ++i) entries.push_back(Entry({mine.get()}, std::to_string(i)));
  for (const LedgerEntry& e : entries) known.Add(mine->verifier(), e);
  known.Add(mine->verifier(), entries[2]);  // again: no second place in the queue
  EXPECT_FALSE(known.Contains(mine->verifier(), entries[0].entry_hash()));
  EXPECT_TRUE(known.Contains(mine->verifier(), entries[1].entry_hash()));
  EXPECT_TRUE(known.Contains(mine->verifier(), entries[2].entry_hash()));
  SelfSignedEntries none(0);
  none.Add(mine->verifier(), entries[0]);
  EXPECT_FALSE(none.Contains(mine->verifier(), entries[0].entry_hash()));
}

}  // namespace
}  // namespace vouch::dsse
