// The state anchor's text: byte-exact serialisation, a strict parser, and the file helpers.
#include "vouch/store/state_anchor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store {
namespace {

constexpr char kId[] = "00112233445566778899aabbccddeeff";
const std::string kRootHex(64, 'a');

StateAnchor Witness() {
  StateAnchor a;
  a.kind = StateKind::kWitness;
  a.state_id = kId;
  tlog::Hash r{};
  r.fill(0xaa);
  a.trees["a.example/log"] = AnchoredTree{1341, r};
  a.trees["b.example/log two"] = AnchoredTree{0, tlog::Hash{}};
  return a;
}

TEST(StateAnchorTest, SerialisesByteExactly) {
  EXPECT_EQ(SerializeStateAnchor(Witness()),
            "vouch-state-anchor 1\n"
            "kind witness\n"
            "state-id 00112233445566778899aabbccddeeff\n"
            "tree 1341 " +
                kRootHex +
                " a.example/log\n"
                "tree 0 " +
                std::string(64, '0') +
                " b.example/log two\n"
                "end\n");
  StateAnchor log;
  log.state_id = kId;
  EXPECT_EQ(SerializeStateAnchor(log),
            "vouch-state-anchor 1\nkind log\nstate-id 00112233445566778899aabbccddeeff\nend\n");
}

TEST(StateAnchorTest, ParsesWhatItSerialises) {
  auto parsed = ParseStateAnchor(SerializeStateAnchor(Witness()));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, Witness());
  auto id = NewStateId();
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->size(), 32u);
  EXPECT_NE(*id, *NewStateId());
  StateAnchor log;
  log.state_id = *id;
  EXPECT_EQ(ParseStateAnchor(SerializeStateAnchor(log)).value(), log);
}

TEST(StateAnchorTest, RefusesEverythingElse) {
  const std::string head =
      "vouch-state-anchor 1\nkind witness\nstate-id " + std::string(kId) + "\n";
  const std::string tree = "tree 5 " + kRootHex + " o\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {head, "truncated"},
      {head + "end", "newline"},
      {head + tree, "truncated"},
      {head + "end\n\n", "no \"end\""},
      {head + "end\nend\n", "line 4"},
      {"vouch-state-anchor 2\nkind log\nstate-id " + std::string(kId) + "\nend\n", "line 1"},
      {"vouch-state-anchor 1\nkind tree\nstate-id " + std::string(kId) + "\nend\n", "line 2"},
      {"vouch-state-anchor 1\nkind log\nstate-id 0011\nend\n", "line 3"},
      {"vouch-state-anchor 1\nkind log\nstate-id " + std::string(32, 'A') + "\nend\n", "line 3"},
      {"vouch-state-anchor 1\r\nkind log\nstate-id " + std::string(kId) + "\nend\n", "line 1"},
      {head + "tree 05 " + kRootHex + " o\nend\n", "size"},
      {head + "tree -1 " + kRootHex + " o\nend\n", "size"},
      {head + "tree 18446744073709551616 " + kRootHex + " o\nend\n", "size"},
      {head + "tree 5 " + std::string(64, 'A') + " o\nend\n", "root"},
      {head + "tree 5 " + std::string(63, 'a') + " o\nend\n", "root"},
      {head + "tree 5 " + kRootHex + " \nend\n", "origin"},
      {head + "tree 5 " + kRootHex + "\nend\n", "root"},
      {head + "tree 5 " + kRootHex + " o\to\nend\n", "origin"},
      {head + "tree 5 " + kRootHex + " " + std::string(1025, 'o') + "\nend\n", "origin"},
      {head + "tree 5 " + kRootHex + " p\n" + tree + "end\n", "sorted"},
      {head + tree + tree + "end\n", "sorted"},
      {head + "trees 5 " + kRootHex + " o\nend\n", "tree"},
      {"vouch-state-anchor 1\nkind log\nstate-id " + std::string(kId) + "\n" + tree + "tree 5 " +
           kRootHex + " p\nend\n",
       "more than one"},
  };
  for (const auto& [text, why] : bad) {
    EXPECT_THAT(ParseStateAnchor(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr(why)))
        << text;
  }
  EXPECT_THAT(ParseStateAnchor(head + tree + "end\n"), IsOk());
}

TEST(StateAnchorTest, PathsAndFiles) {
  EXPECT_EQ(StateAnchorPathFor("/d/log.db"), "/d/log.anchor");
  EXPECT_EQ(StateAnchorPathFor("witness.db"), "witness.anchor");
  EXPECT_EQ(StateAnchorPathFor("/d/x.sqlite"), "/d/x.sqlite.anchor");
  EXPECT_EQ(StateAnchorPathFor("/d/.db"), "/d/.db.anchor");
  std::string dir = ::vouch::testing::MakeTempDir("state_anchor_test");
  const std::string path = dir + "/w.anchor";
  auto missing = ReadStateAnchor(path);
  ASSERT_THAT(missing, IsOk());
  EXPECT_FALSE(missing->has_value());
  ASSERT_THAT(WriteStateAnchor(path, Witness()), IsOk());
  EXPECT_EQ(ReadStateAnchor(path).value(), Witness());
  std::ofstream(path, std::ios::app) << "x";
  EXPECT_THAT(ReadStateAnchor(path), StatusIs(StatusCode::kDataLoss, HasSubstr(path)));
  EXPECT_THAT(ReadStateAnchor(path), ReasonIs("state_anchor_invalid"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vouch::store
