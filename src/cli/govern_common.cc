#include "cli/govern_common.h"

#include <iostream>

#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch::cli {

StatusOr<govern::EntryRef> ParseEntryRefArg(std::string_view text) {
  size_t colon = text.find(':');
  auto bad = [&] {
    return InvalidArgumentError("\"" + std::string(text) +
                                "\" is not INDEX:SHA256 (a log index and a 64-hex entry hash)");
  };
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return bad();
  govern::EntryRef ref;
  for (char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return bad();
    ref.index = ref.index * 10 + static_cast<uint64_t>(c - '0');
  }
  std::string_view hex = text.substr(colon + 1);
  if (hex.size() != 64 || std::any_of(hex.begin(), hex.end(), [](char c) {
        return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
      })) {
    return bad();
  }
  ref.sha256 = *HexDecodeArray<32>(hex);
  return ref;
}

StatusOr<UnixSeconds> TimeArgOrNow(const std::string& text) {
  if (text.empty()) return RealClock().Now();
  return ParseTimeArg(text);
}

int ReportStatus(bool json, int exit_code, const std::string& what, const Status& status) {
  Failure failure = ErrorCodeFor(status);
  // I/O stays I/O; otherwise the caller's role decides (docs/error-codes.md, "Governance").
  const int rc = failure.exit_code == kExitIo ? kExitIo : exit_code;
  return ReportFailure(json, rc, failure.code, what, status.message());
}

Status WriteOutput(const std::string& path, ByteSpan data, mode_t mode) {
  if (path == "-") {
    std::cout.write(reinterpret_cast<const char*>(data.data()),
                    static_cast<std::streamsize>(data.size()));
    std::cout.flush();
    return std::cout ? OkStatus() : UnavailableError("cannot write to standard output");
  }
  return WriteFileAtomic(path, data, mode);
}

StatusOr<int64_t> DurationArg(const std::string& text, const char* option) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() <= 12) {
    return static_cast<int64_t>(std::stoll(text));
  }
  auto d = govern::ParseDuration(text);
  if (!d.ok()) {
    return InvalidArgumentError(std::string(option) +
                                " is a duration such as PT1H or PT30M, or a number of seconds");
  }
  return d;
}

}  // namespace vouch::cli
