// SecretBytes: key material that wipes itself on destruction, compares in constant time, is
// movable but never implicitly copied, and never prints its contents.
//
// Thread-compatible.
#ifndef VOUCH_BASE_SECRET_BYTES_H_
#define VOUCH_BASE_SECRET_BYTES_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "vouch/base/bytes.h"

namespace vouch {

// Overwrites `data` with zeros in a way the compiler may not elide.
void SecureWipe(void* data, size_t size);
// Constant-time equality of two equally long buffers (false, early, on length mismatch only).
bool ConstantTimeEquals(ByteSpan a, ByteSpan b);

class SecretBytes {
 public:
  SecretBytes() = default;
  // `size` zero bytes, to be filled through mutable_data().
  explicit SecretBytes(size_t size) : data_(size, 0) {}
  explicit SecretBytes(ByteSpan data) : data_(data.begin(), data.end()) {}
  ~SecretBytes() { Wipe(); }

  SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) { other.data_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      Wipe();
      data_ = std::move(other.data_);
      other.data_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit copy, so every duplication of a secret is visible in the code.
  SecretBytes Copy() const { return SecretBytes(Reveal()); }

  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  // Access to the raw bytes. Callers must not log or persist them unprotected.
  ByteSpan Reveal() const { return ByteSpan(data_.data(), data_.size()); }
  uint8_t* mutable_data() { return data_.data(); }

  friend bool operator==(const SecretBytes& a, const SecretBytes& b) {
    return ConstantTimeEquals(a.Reveal(), b.Reveal());
  }
  friend std::ostream& operator<<(std::ostream& os, const SecretBytes& s) {
    return os << "SecretBytes(" << s.size() << " bytes, redacted)";
  }

 private:
  void Wipe() {
    if (!data_.empty()) SecureWipe(data_.data(), data_.size());
  }

  std::vector<uint8_t> data_;
};

}  // namespace vouch

#endif  // VOUCH_BASE_SECRET_BYTES_H_
