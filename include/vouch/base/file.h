// File helpers with Vouch's error model: a missing or unreadable file is kUnavailable (or
// kNotFound), never an exception. Writes are atomic (temp file, fsync, rename, fsync dir), so a
// crash leaves either the old or the new content. Private keys are read with ReadPrivateFile,
// which enforces their permissions.
#ifndef VOUCH_BASE_FILE_H_
#define VOUCH_BASE_FILE_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
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

// WriteFileAtomic for content written piece by piece (a file of any size, never held whole in
// memory): Open creates PATH.tmp.PID with exactly `mode`; Append writes to it (small pieces are
// gathered into writes of up to 1 MiB); Commit writes what is gathered, fsyncs the file, renames
// it onto PATH and fsyncs the directory. A writer destroyed without a successful Commit
// removes its temporary file and leaves PATH as it was. Errors are WriteFileAtomic's (the
// system's naming the file: kNotFound for a missing directory, else kUnavailable).
// Thread-compatible.
class AtomicFileWriter {
 public:
  static StatusOr<std::unique_ptr<AtomicFileWriter>> Open(const std::string& path,
                                                          mode_t mode = 0644);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // REQUIRES: not committed. After a failure the writer can only be destroyed.
  Status Append(ByteSpan data);
  // REQUIRES: not committed.
  Status Commit();

 private:
  AtomicFileWriter(std::string path, std::string tmp, int fd)
      : path_(std::move(path)), tmp_(std::move(tmp)), fd_(fd) {}
  // Writes and empties `pending_`.
  Status Flush();

  static constexpr size_t kGatherBytes = size_t{1} << 20;
  const std::string path_;
  const std::string tmp_;
  int fd_;         // -1 once closed
  Bytes pending_;  // appended, not yet written; at most kGatherBytes
  bool committed_ = false;
};

// Hands the bytes of file `path` (opened without following a final symlink) to `sink` in
// chunks of at most buffer.size() bytes, and checks that the file holds exactly `expected_size`
// bytes, as listed before: kFailedPrecondition with reason `changed_reason` ("PATH changed size
// while it was read") when it holds more or fewer (then `sink` has seen at most
// `expected_size` bytes); kUnavailable when it cannot be opened or read; otherwise the first
// failure of `sink`, which stops the read. For measuring files that must not change meanwhile.
Status StreamFile(const std::string& path, uint64_t expected_size, std::span<uint8_t> buffer,
                  const std::function<Status(ByteSpan)>& sink, const char* changed_reason);

// The reason of ReadPrivateFile's refusal of a file whose mode is not private.
inline constexpr char kKeyFileInsecure[] = "key_file_insecure";

// Reads a private key (or any other secret) file under the one rule for every key Vouch loads
// (docs/architecture.md, "Keys"): only its owner may read it. A file whose mode grants group or
// others any access, or whose owner may not read it (mode 0000: nobody is meant to read it, and
// it is refused even when root, who could, runs the command), is refused with
// kFailedPrecondition, reason kKeyFileInsecure, and a message that gives the fix
// ("chmod 600 PATH"). The mode is checked on the opened file, so it cannot change between the
// check and the read. A missing file is kNotFound, an unreadable one kUnavailable, one over
// `max_size` bytes kInvalidArgument. The bytes are wiped when the result is destroyed.
StatusOr<SecretBytes> ReadPrivateFile(const std::string& path, size_t max_size);

}  // namespace vouch

#endif  // VOUCH_BASE_FILE_H_
