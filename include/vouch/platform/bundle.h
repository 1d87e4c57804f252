// Enclave bundles (docs/measurement.md): a directory holding a manifest `vouch-enclave.json`
// and the enclave's files. Its MRENCLAVE is computed with SGX's own ECREATE/EADD/EEXTEND records
// (sgx/measurement.h) over a canonical page image: an index page listing every file (name and
// size, in bytewise order), then each file padded to 4 KiB pages. `vouch enclave sign` adds a
// real-format SIGSTRUCT `vouch-enclave.sig` (not itself measured), whose key gives MRSIGNER.
//
// Manifest (strict JSON, exactly these keys):
//   {"format":"vouch-enclave/1","entry":"bin/app","product_id":1,"isv_svn":1,
//    "debug":false,"memory_size":16777216}
//
// Thread-compatible immutable values.
#ifndef VOUCH_PLATFORM_BUNDLE_H_
#define VOUCH_PLATFORM_BUNDLE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/rsa.h"
#include "vouch/platform/platform.h"
#include "vouch/sgx/sigstruct.h"

namespace vouch::platform {

inline constexpr char kBundleManifestName[] = "vouch-enclave.json";
inline constexpr char kBundleSignatureName[] = "vouch-enclave.sig";
inline constexpr char kBundleFormat[] = "vouch-enclave/1";
// The first line of the index page.
inline constexpr char kBundleIndexMagic[] = "vouch-enclave-bundle/1\n";
inline constexpr size_t kMaxManifestSize = 64 * 1024;
inline constexpr size_t kMaxBundleFiles = 65536;
inline constexpr size_t kMaxBundleNameSize = 1024;
inline constexpr uint64_t kMinMemorySize = uint64_t{1} << 16;  // 64 KiB
inline constexpr uint64_t kMaxMemorySize = uint64_t{1} << 36;  // 64 GiB
// ECREATE's SSAFRAMESIZE for bundles, in pages.
inline constexpr uint32_t kBundleSsaFrameSize = 1;
// SECINFO flags of the index and data pages, and of the entry program's pages.
inline constexpr uint64_t kBundleDataPageFlags = 0x201;   // R, PT_REG
inline constexpr uint64_t kBundleEntryPageFlags = 0x205;  // R X, PT_REG

struct BundleManifest {
  std::string entry;  // relative path of the program to start
  uint16_t product_id = 0;
  uint16_t isv_svn = 0;
  bool debug = false;
  uint64_t memory_size = 0;  // ECREATE SIZE: a power of two, 64 KiB .. 64 GiB

  // Strict parse: a JSON object with exactly the keys above plus "format" =
  // "vouch-enclave/1"; no duplicates; integers in range; `entry` a valid bundle path.
  // kInvalidArgument (reason "manifest_malformed") naming what is wrong.
  static StatusOr<BundleManifest> Parse(std::string_view json);
  // The canonical text (keys in the order above, two-space indent, trailing newline).
  std::string ToJson() const;
};

// OK when `name` is a valid path of a file in a bundle: '/'-separated non-empty components,
// none "." or "..", no control bytes (below 0x20, 0x7f), at most 1024 bytes, not starting with
// '/'. kInvalidArgument otherwise.
Status CheckBundlePath(std::string_view name);

// One file of a bundle as measured.
struct BundleFileLayout {
  std::string name;
  uint64_t size = 0;
  uint64_t offset = 0;  // enclave offset of its first page
  uint64_t pages = 0;
  uint64_t secinfo_flags = 0;
};

struct BundleMeasurement {
  Sha256Hash mr_enclave{};
  uint64_t index_pages = 0;
  uint64_t total_pages = 0;  // index and files
  std::vector<BundleFileLayout> files;
};

// A file given in memory (tests, fuzzers, and tools that build bundles in memory).
struct BundleFileContent {
  std::string name;
  ByteSpan content;
};

// The index text: kBundleIndexMagic, then "<size> <name>\n" per file in `files`' order.
std::string BundleIndex(std::span<const BundleFileLayout> files);

// Measures a bundle given in memory: `files` must include the manifest (as
// kBundleManifestName, whose content `manifest` was parsed from) and no signature file.
// Files are sorted bytewise by name here. kInvalidArgument for duplicate or invalid names, a
// missing entry program, or an image larger than memory_size.
StatusOr<BundleMeasurement> MeasureBundleFiles(const BundleManifest& manifest,
                                               std::span<const BundleFileContent> files);

class Bundle {
 public:
  // Reads the directory: the manifest, and the names and sizes of every regular file below it
  // except the signature. Symbolic links and special files are refused. kInvalidArgument
  // (reason "manifest_malformed" or "bundle_malformed"); kUnavailable / kNotFound for I/O.
  static StatusOr<Bundle> Load(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const BundleManifest& manifest() const { return manifest_; }
  // Sorted bytewise by name; includes the manifest.
  const std::vector<std::pair<std::string, uint64_t>>& files() const { return files_; }

  // Streams the files from disk through the measurement. Fails (kFailedPrecondition, reason
  // "bundle_changed") when a file's size changes while it is read.
  StatusOr<BundleMeasurement> Measure() const;

  // The SIGSTRUCT `vouch enclave sign` would write: ENCLAVEHASH = `measurement`, ISVPRODID,
  // ISVSVN and the DEBUG attribute from the manifest, DATE = `date_bcd`.
  StatusOr<Bytes> MakeSigstruct(const BundleMeasurement& measurement, const RsaPrivateKey& key,
                                uint32_t date_bcd) const;

  // The bundle's signature file, parsed and checked. kNotFound (reason "bundle_unsigned") when
  // there is none; the SIGSTRUCT parse errors otherwise.
  StatusOr<sgx::Sigstruct> ReadSignature() const;

  // The identity an enclave started from this bundle has: MRENCLAVE as measured, MRSIGNER,
  // ISVPRODID, ISVSVN and attributes from the signature. kPermissionDenied (reason
  // "bundle_signature_mismatch") when the signature is for another measurement or disagrees
  // with the manifest (re-sign after changing the bundle).
  StatusOr<EnclaveIdentity> SignedIdentity(const BundleMeasurement& measurement) const;

 private:
  Bundle(std::string dir, BundleManifest manifest,
         std::vector<std::pair<std::string, uint64_t>> files)
      : dir_(std::move(dir)), manifest_(std::move(manifest)), files_(std::move(files)) {}

  std::string dir_;
  BundleManifest manifest_;
  std::vector<std::pair<std::string, uint64_t>> files_;
};

}  // namespace vouch::platform

#endif  // VOUCH_PLATFORM_BUNDLE_H_
