// The one error-code table (issue 10, item 7; issue 11, item 4): every code it holds is
// documented in docs/error-codes.md with the same exit code, every documented code is in it,
// each code appears once and is still produced somewhere in the sources, and the one
// Status -> exit code mapping follows it.
#include "cli/error_codes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace vouch::cli {
namespace {

std::string ReadSource(const std::filesystem::path& relative) {
  std::ifstream in(std::filesystem::path(VOUCH_SOURCE_DIR) / relative, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The codes of docs/error-codes.md: table rows "| `a`, `b` | <exit> | ...".
std::map<std::string, int> DocumentedCodes() {
  std::map<std::string, int> codes;
  std::istringstream doc(ReadSource("docs/error-codes.md"));
  const std::regex row(R"(^\|\s*((?:`[a-z0-9_]+`(?:,\s*)?)+)\s*\|\s*([0-3])\s*\|)");
  const std::regex code("`([a-z0-9_]+)`");
  for (std::string line; std::getline(doc, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) continue;
    const std::string cell = m[1];
    const int exit_code = std::stoi(m[2]);
    for (auto it = std::sregex_iterator(cell.begin(), cell.end(), code);
         it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(codes.emplace((*it)[1], exit_code).second) << (*it)[1] << " is documented twice";
    }
  }
  return codes;
}

TEST(ErrorCodesTest, TableAndDocumentAgree) {
  std::map<std::string, int> documented = DocumentedCodes();
  ASSERT_GT(documented.size(), 100u);
  for (const ErrorCode& e : AllErrorCodes()) {
    auto it = documented.find(std::string(e.code));
    if (it == documented.end()) {
      ADD_FAILURE() << e.code << " is missing from docs/error-codes.md";
      continue;
    }
    EXPECT_EQ(it->second, e.exit_code) << e.code << ": the document and the table differ";
  }
  for (const auto& [code, exit_code] : documented) {
    EXPECT_NE(FindErrorCode(code), nullptr) << code << " is documented but not in the table";
  }
}

TEST(ErrorCodesTest, EachCodeOnce) {
  std::set<std::string_view> seen;
  for (const ErrorCode& e : AllErrorCodes()) {
    EXPECT_TRUE(seen.insert(e.code).second) << e.code << " is in the table twice";
  }
  // One condition, one code: "exists" and "internal" were merged into these.
  EXPECT_EQ(FindErrorCode("exists"), nullptr);
  EXPECT_EQ(FindErrorCode("internal"), nullptr);
  EXPECT_NE(FindErrorCode("file_exists"), nullptr);
  EXPECT_NE(FindErrorCode("internal_error"), nullptr);
}

// A code that nothing produces any more is a stale entry: each must still be spelled, in
// quotes, in the library or command sources (its reasons.h, or the module's own file).
TEST(ErrorCodesTest, EveryCodeIsStillProduced) {
  std::string sources;
  for (const char* dir : {"include/vouch", "src"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             std::filesystem::path(VOUCH_SOURCE_DIR) / dir)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file() || name.ends_with("_test.cc") ||
          !(name.ends_with(".cc") || name.ends_with(".h"))) {
        continue;
      }
      sources += ReadSource(std::filesystem::relative(entry.path(), VOUCH_SOURCE_DIR));
    }
  }
  for (const ErrorCode& e : AllErrorCodes()) {
    EXPECT_NE(sources.find("\"" + std::string(e.code) + "\""), std::string::npos) << e.code;
  }
}

TEST(ErrorCodesTest, StatusMapping) {
  // A known reason decides; its exit code comes from the table.
  Failure f = ErrorCodeFor(MalformedError("quote_malformed", "x"));
  EXPECT_EQ(f.code, "quote_malformed");
  EXPECT_EQ(f.exit_code, kExitRejected);  // evidence that does not parse is rejected
  f = ErrorCodeFor(MalformedError("policy_malformed", "x"));
  EXPECT_EQ(f.exit_code, kExitUsage);  // a policy the user gives is usage
  f = ErrorCodeFor(Status(StatusCode::kNotFound, "x", "bundle_unsigned"));
  EXPECT_EQ(f.exit_code, kExitUsage);
  f = ErrorCodeFor(Status(StatusCode::kFailedPrecondition, "x", "bundle_changed"));
  EXPECT_EQ(f.exit_code, kExitIo);
  // Without a reason, by StatusCode.
  EXPECT_EQ(ErrorCodeFor(PermissionDeniedError("x")).code, "rejected");
  EXPECT_EQ(ErrorCodeFor(InvalidArgumentError("x")).exit_code, kExitUsage);
  EXPECT_EQ(ErrorCodeFor(UnavailableError("x")).code, "io_error");
  EXPECT_EQ(ErrorCodeFor(NotFoundError("x")).exit_code, kExitIo);
  EXPECT_EQ(ErrorCodeFor(InternalError("x")).code, "internal_error");
  // An unknown reason keeps its text.
  f = ErrorCodeFor(RejectedError("brand_new_reason", "x"));
  EXPECT_EQ(f.code, "brand_new_reason");
  EXPECT_EQ(f.exit_code, kExitRejected);
}

}  // namespace
}  // namespace vouch::cli
