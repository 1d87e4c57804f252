#include "vouch/base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace vouch {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return NotFoundError(message);
  return UnavailableError(message);
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, ByteSpan data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

// Reads `fd` to its end into `out`, at most `max_size` bytes.
Status ReadAll(int fd, const std::string& path, size_t max_size, Bytes& out) {
  uint8_t buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read", path, errno);
    }
    if (n == 0) return OkStatus();
    if (out.size() + static_cast<size_t>(n) > max_size) {
      return InvalidArgumentError(path + " is larger than the limit of " +
                                  std::to_string(max_size) + " bytes");
    }
    out.insert(out.end(), buf, buf + n);
  }
}

// OK when `mode` lets only the owner access the file, and the owner read it.
Status CheckPrivateMode(const std::string& path, mode_t mode) {
  const mode_t permissions = mode & 0777;
  char octal[8];
  std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(permissions));
  const std::string fix = "run chmod 600 " + path;
  if ((permissions & 077) != 0) {
    return Status(StatusCode::kFailedPrecondition,
                  path + " is accessible by group or others (mode " + octal +
                      "); a private key must be readable by its owner only: " + fix,
                  kKeyFileInsecure);
  }
  if ((permissions & 0400) == 0) {
    return Status(StatusCode::kFailedPrecondition,
                  path + " has mode " + octal +
                      ", which says that nobody may read it (not even root, who could); if it "
                      "is the key to use, " +
                      fix,
                  kKeyFileInsecure);
  }
  return OkStatus();
}

}  // namespace

StatusOr<Bytes> ReadFile(const std::string& path, size_t max_size) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path, errno);
  Bytes out;
  Status status = ReadAll(fd, path, max_size, out);
  if (fd != STDIN_FILENO) ::close(fd);
  if (!status.ok()) return status;
  return out;
}

StatusOr<SecretBytes> ReadPrivateFile(const std::string& path, size_t max_size) {
  // The mode first, so that a file its owner may not read is refused for what it is, not for
  // the EACCES that opening it gives everyone but root.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot read", path, errno);
  VOUCH_RETURN_IF_ERROR(CheckPrivateMode(path, st.st_mode));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path, errno);
  Bytes out;
  Status status = ::fstat(fd, &st) == 0 ? CheckPrivateMode(path, st.st_mode)
                                        : ErrnoStatus("cannot stat", path, errno);
  // Read into room reserved up front, so that no copy of the secret is left behind by a
  // reallocation (the file's size at the fstat, within the limit).
  if (status.ok())
    out.reserve(std::min(static_cast<size_t>(std::max<off_t>(st.st_size, 0)), max_size) + 1);
  if (status.ok()) status = ReadAll(fd, path, max_size, out);
  ::close(fd);
  SecretBytes secret(out);
  SecureWipe(out.data(), out.size());
  if (!status.ok()) return status;
  return secret;
}

StatusOr<std::string> ReadFileToString(const std::string& path, size_t max_size) {
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, max_size));
  return std::string(bytes.begin(), bytes.end());
}

StatusOr<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Open(const std::string& path,
                                                                   mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot create", tmp, errno);
  auto writer = std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(path, std::move(tmp), fd));
  // open() honours the umask; make the mode exact (0600 must be 0600).
  if (::fchmod(fd, mode) != 0) return ErrnoStatus("cannot chmod", writer->tmp_, errno);
  return writer;
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

Status AtomicFileWriter::Append(ByteSpan data) {
  if (fd_ < 0) return FailedPreconditionError("cannot write " + tmp_ + ": closed");
  if (pending_.size() + data.size() <= kGatherBytes) {
    pending_.insert(pending_.end(), data.begin(), data.end());
    return OkStatus();
  }
  VOUCH_RETURN_IF_ERROR(Flush());
  if (data.size() >= kGatherBytes) return WriteAll(fd_, data, tmp_);
  pending_.assign(data.begin(), data.end());
  return OkStatus();
}

Status AtomicFileWriter::Flush() {
  Status written = WriteAll(fd_, pending_, tmp_);
  pending_.clear();
  return written;
}

Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return FailedPreconditionError("cannot commit " + tmp_ + ": closed");
  VOUCH_RETURN_IF_ERROR(Flush());
  const bool synced = ::fsync(fd_) == 0;
  const int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (!synced) return ErrnoStatus("cannot fsync", tmp_, err);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    return ErrnoStatus("cannot rename onto", path_, errno);
  }
  committed_ = true;
  const int dir = ::open(DirName(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return OkStatus();
}

Status WriteFileAtomic(const std::string& path, ByteSpan data, mode_t mode) {
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFileWriter> writer,
                         AtomicFileWriter::Open(path, mode));
  VOUCH_RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

Status StreamFile(const std::string& path, uint64_t expected_size, std::span<uint8_t> buffer,
                  const std::function<Status(ByteSpan)>& sink, const char* changed_reason) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  uint64_t remaining = expected_size;
  bool grew = false;
  Status status;
  while (status.ok()) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status = UnavailableError("cannot read " + path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    if (static_cast<uint64_t>(n) > remaining) {
      grew = true;
      break;
    }
    remaining -= static_cast<uint64_t>(n);
    status = sink(ByteSpan(buffer.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  if (status.ok() && (grew || remaining != 0)) {
    return Status(StatusCode::kFailedPrecondition, path + " changed size while it was read",
                  changed_reason);
  }
  return status;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace vouch
