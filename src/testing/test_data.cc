#include "testing/test_data.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch::testing {

std::string TestDataPath(const std::string& relative) {
  return std::string(VOUCH_SOURCE_DIR) + "/tests/data/" + relative;
}

Bytes ReadTestData(const std::string& relative) {
  auto data = ReadFile(TestDataPath(relative));
  EXPECT_TRUE(data.ok()) << data.status();
  return data.ok() ? *data : Bytes{};
}

std::string ReadTestDataString(const std::string& relative) {
  Bytes b = ReadTestData(relative);
  return std::string(b.begin(), b.end());
}

Bytes Hex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << "not hex: " << hex;
  return bytes.ok() ? *std::move(bytes) : Bytes();
}

std::string MakeTempDir(const std::string& prefix) {
  std::string base = std::filesystem::temp_directory_path().string();
  std::string templ = base + "/" + prefix + "XXXXXX";
  char* made = ::mkdtemp(templ.data());
  EXPECT_NE(made, nullptr);
  return templ;
}

}  // namespace vouch::testing
