#include "vouch/sgx/measurement.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

#include "vouch/base/byte_writer.h"

namespace vouch::sgx {
namespace {

using Record = std::array<uint8_t, kMeasurementRecordSize>;

Record Tagged(const char (&tag)[9]) {
  Record r{};
  std::memcpy(r.data(), tag, 8);  // the NUL-padded 8-byte tag
  return r;
}

std::string Hex64(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

MrEnclaveBuilder::MrEnclaveBuilder(uint32_t ssa_frame_size, uint64_t enclave_size)
    : enclave_size_(enclave_size) {
  Record r = Tagged("ECREATE\0");
  StoreU32Le(r.data() + 8, ssa_frame_size);
  StoreU64Le(r.data() + 12, enclave_size);
  hasher_.Update(r);
}

Status MrEnclaveBuilder::EAdd(uint64_t offset, uint64_t secinfo_flags) {
  if (offset % kPageSize != 0 || offset >= enclave_size_) {
    return InvalidArgumentError("EADD offset " + Hex64(offset) +
                                " is not a page inside the enclave");
  }
  if (!added_pages_.insert(offset).second) {
    return InvalidArgumentError("EADD of page " + Hex64(offset) + " twice");
  }
  Record r = Tagged("EADD\0\0\0\0");
  StoreU64Le(r.data() + 8, offset);
  StoreU64Le(r.data() + 16, secinfo_flags);
  hasher_.Update(r);
  return OkStatus();
}

Status MrEnclaveBuilder::EExtend(uint64_t offset, ByteSpan chunk) {
  if (chunk.size() != kEextendChunkSize) {
    return InvalidArgumentError("EEXTEND measures exactly 256 bytes");
  }
  if (offset % kEextendChunkSize != 0 || !added_pages_.contains(offset - offset % kPageSize)) {
    return InvalidArgumentError("EEXTEND offset " + Hex64(offset) +
                                " is not a 256-byte chunk of an added page");
  }
  Record r = Tagged("EEXTEND\0");
  StoreU64Le(r.data() + 8, offset);
  hasher_.Update(r);
  hasher_.Update(chunk);
  return OkStatus();
}

Status MrEnclaveBuilder::AddPage(uint64_t offset, uint64_t secinfo_flags, ByteSpan page,
                                 bool measure_content) {
  if (page.size() != kPageSize) return InvalidArgumentError("a page is exactly 4096 bytes");
  VOUCH_RETURN_IF_ERROR(EAdd(offset, secinfo_flags));
  if (!measure_content) return OkStatus();
  for (size_t i = 0; i < kPageSize; i += kEextendChunkSize) {
    VOUCH_RETURN_IF_ERROR(EExtend(offset + i, page.subspan(i, kEextendChunkSize)));
  }
  return OkStatus();
}

Sha256Digest MrEnclaveBuilder::Finish() { return hasher_.Finish(); }

}  // namespace vouch::sgx
