// File helpers with Vouch's error model: a missing or unreadable file is kUnavailable (or
// kNotFound), never an exception. Writes are atomic (temp file, fsync, rename, fsync dir), so a
// crash leaves either the old or the new content.
#ifndef VOUCH_BASE_FILE_H_
#define VOUCH_BASE_FILE_H_

#include <sys/types.h>

#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

// Maximum size ReadFile accepts unless told otherwise (inputs are hostile).
inline constexpr size_t kDefaultMaxFileSize = size_t{64} << 20;

// Reads the whole file; "-" reads standard input.
StatusOr<Bytes> ReadFile(const std::string& path, size_t max_size = kDefaultMaxFileSize);
StatusOr<std::string> ReadFileToString(const std::string& path,
                                       size_t max_size = kDefaultMaxFileSize);
// Atomically replaces `path` with `data`, created with permissions `mode` (e.g. 0600 for keys).
Status WriteFileAtomic(const std::string& path, ByteSpan data, mode_t mode = 0644);
bool FileExists(const std::string& path);

}  // namespace vouch

#endif  // VOUCH_BASE_FILE_H_
