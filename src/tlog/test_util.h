// Shared helpers for the tlog unit tests: JSON vectors under tests/data/tlog/.
#ifndef VOUCH_SRC_TLOG_TEST_UTIL_H_
#define VOUCH_SRC_TLOG_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/merkle.h"

namespace vouch::tlog::testing {

inline nlohmann::json ReadJson(const std::string& relative) {
  std::string text = ::vouch::testing::ReadTestDataString(relative);
  return nlohmann::json::parse(text);
}

// Every *.json file under tests/data/`relative_dir`, sorted, as paths relative to tests/data.
inline std::vector<std::string> JsonFilesUnder(const std::string& relative_dir) {
  std::vector<std::string> out;
  std::string root = ::vouch::testing::TestDataPath("");
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           ::vouch::testing::TestDataPath(relative_dir))) {
    if (e.is_regular_file() && e.path().extension() == ".json") {
      out.push_back(e.path().string().substr(root.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline Bytes B64(const std::string& s) {
  auto b = Base64Decode(s);
  EXPECT_TRUE(b.ok()) << s;
  return b.ok() ? *b : Bytes{};
}

inline Hash H64(const std::string& s) {
  auto h = HashFromBase64(s);
  EXPECT_TRUE(h.ok()) << s;
  return h.ok() ? *h : Hash{};
}

inline Hash HHex(const std::string& s) {
  auto b = HexDecode(s);
  EXPECT_TRUE(b.ok()) << s;
  Hash h{};
  if (b.ok() && b->size() == h.size()) std::copy(b->begin(), b->end(), h.begin());
  return h;
}

// The Tessera test log's entries (tests/data/tlog/tessera-testdata-log/README.md).
inline const std::vector<std::string>& TesseraEntries() {
  static const std::vector<std::string> kEntries = {
      "one",  "two", "three",  "four",  "five",     "six",     "seven", "eit",
      "nain", "ten", "ileven", "twelf", "threeten", "fourten", "fivten"};
  return kEntries;
}

inline constexpr char kTesseraVkey[] =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
inline constexpr char kTesseraSkey[] =
    "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg";
inline constexpr char kTesseraOrigin[] = "example.com/log/testdata";

}  // namespace vouch::tlog::testing

#endif  // VOUCH_SRC_TLOG_TEST_UTIL_H_
