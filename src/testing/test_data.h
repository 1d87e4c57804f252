// Access to the checked-in test data under tests/data/ (tests run from the source root).
#ifndef VOUCH_TESTING_TEST_DATA_H_
#define VOUCH_TESTING_TEST_DATA_H_

#include <string>
#include <string_view>

#include "vouch/base/bytes.h"

namespace vouch::testing {

// Absolute path of tests/data/`relative`.
std::string TestDataPath(const std::string& relative);
// Contents of tests/data/`relative`; fails the test (and returns empty) when unreadable.
Bytes ReadTestData(const std::string& relative);
std::string ReadTestDataString(const std::string& relative);
// The bytes of hex string `hex` (test vectors); fails the test (and returns empty) when it is
// not even-length hex.
Bytes Hex(std::string_view hex);
// A fresh empty directory under the test's temp dir.
std::string MakeTempDir(const std::string& prefix);

}  // namespace vouch::testing

namespace vouch {
using testing::Hex;  // as the status matchers (status_matchers.h): visible to every test
}  // namespace vouch

#endif  // VOUCH_TESTING_TEST_DATA_H_
