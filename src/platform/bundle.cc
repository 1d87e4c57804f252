#include "vouch/platform/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json.h"
#include "platform/internal.h"
#include "vouch/base/file.h"
#include "vouch/platform/reasons.h"
#include "vouch/sgx/measurement.h"
#include "vouch/sgx/reasons.h"

namespace vouch::platform {
namespace {

using sgx::kPageSize;

Status ManifestError(const std::string& message) {
  return MalformedError(reasons::kManifestMalformed,
                        std::string(kBundleManifestName) + ": " + message);
}
Status BundleError(const std::string& message) {
  return MalformedError(reasons::kBundleMalformed, "bundle: " + message);
}

uint64_t PagesFor(uint64_t size) { return (size + kPageSize - 1) / kPageSize; }

// Feeds the canonical page image through SGX's measurement records: pages are added at
// consecutive offsets from 0, each filled from the bytes appended to it and zero-padded.
class ImageMeasurer {
 public:
  explicit ImageMeasurer(uint64_t memory_size)
      : builder_(kBundleSsaFrameSize, memory_size), memory_size_(memory_size) {}

  // Starts a region whose pages get `flags`.
  void Begin(uint64_t flags) {
    flags_ = flags;
    fill_ = 0;
  }
  Status Append(ByteSpan data) {
    while (!data.empty()) {
      size_t n = std::min(data.size(), kPageSize - fill_);
      std::copy_n(data.begin(), n, page_.begin() + static_cast<std::ptrdiff_t>(fill_));
      fill_ += n;
      data = data.subspan(n);
      if (fill_ == kPageSize) VOUCH_RETURN_IF_ERROR(Flush());
    }
    return OkStatus();
  }
  // Pads the region's last page with zeros.
  Status End() {
    if (fill_ > 0) {
      std::fill(page_.begin() + static_cast<std::ptrdiff_t>(fill_), page_.end(), 0);
      VOUCH_RETURN_IF_ERROR(Flush());
    }
    return OkStatus();
  }
  uint64_t next_offset() const { return next_offset_; }
  Sha256Digest Finish() { return builder_.Finish(); }

 private:
  Status Flush() {
    if (next_offset_ + kPageSize > memory_size_) {
      return BundleError("the image does not fit in memory_size");
    }
    VOUCH_RETURN_IF_ERROR(builder_.AddPage(next_offset_, flags_, page_));
    next_offset_ += kPageSize;
    fill_ = 0;
    return OkStatus();
  }

  sgx::MrEnclaveBuilder builder_;
  uint64_t memory_size_;
  std::array<uint8_t, kPageSize> page_{};
  size_t fill_ = 0;
  uint64_t flags_ = 0;
  uint64_t next_offset_ = 0;
};

// The layout of every file (offsets, pages, flags) for sorted names and sizes, checking names,
// the entry program and the total size against memory_size.
StatusOr<BundleMeasurement> PlanLayout(const BundleManifest& manifest,
                                       const std::vector<std::pair<std::string, uint64_t>>& files) {
  if (files.size() > kMaxBundleFiles) {
    return BundleError("more than " + std::to_string(kMaxBundleFiles) + " files");
  }
  BundleMeasurement m;
  bool has_manifest = false;
  bool has_entry = false;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& [name, size] = files[i];
    if (Status s = CheckBundlePath(name); !s.ok()) return BundleError(s.message());
    if (name == kBundleSignatureName) {
      return BundleError(std::string(kBundleSignatureName) + " is not part of the measurement");
    }
    if (i > 0 && files[i - 1].first >= name) {
      return BundleError("duplicate or unsorted file name \"" + name + "\"");
    }
    if (size > kMaxMemorySize) return BundleError("file \"" + name + "\" is too large");
    has_manifest |= name == kBundleManifestName;
    has_entry |= name == manifest.entry;
    m.files.push_back({name, size, 0, PagesFor(size),
                       name == manifest.entry ? kBundleEntryPageFlags : kBundleDataPageFlags});
  }
  if (!has_manifest) return BundleError(std::string("no ") + kBundleManifestName);
  if (!has_entry) return BundleError("the entry program \"" + manifest.entry + "\" is missing");
  m.index_pages = PagesFor(BundleIndex(m.files).size());
  uint64_t offset = m.index_pages * kPageSize;
  for (BundleFileLayout& f : m.files) {
    f.offset = offset;
    offset += f.pages * kPageSize;
    if (offset > manifest.memory_size) break;
  }
  m.total_pages = offset / kPageSize;
  if (offset > manifest.memory_size) {
    return BundleError("the image (" + std::to_string(offset) +
                       " bytes and more) is larger than memory_size " +
                       std::to_string(manifest.memory_size));
  }
  return m;
}

// Measures the planned layout, asking `read_file(i, sink)` to stream file i's bytes.
template <typename ReadFileFn>
Status MeasurePlanned(const BundleManifest& manifest, BundleMeasurement& m, ReadFileFn read_file) {
  ImageMeasurer im(manifest.memory_size);
  im.Begin(kBundleDataPageFlags);
  std::string index = BundleIndex(m.files);
  VOUCH_RETURN_IF_ERROR(im.Append(AsBytes(index)));
  VOUCH_RETURN_IF_ERROR(im.End());
  for (size_t i = 0; i < m.files.size(); ++i) {
    im.Begin(m.files[i].secinfo_flags);
    if (im.next_offset() != m.files[i].offset) return InternalError("bundle layout mismatch");
    VOUCH_RETURN_IF_ERROR(read_file(i, [&](ByteSpan data) { return im.Append(data); }));
    VOUCH_RETURN_IF_ERROR(im.End());
  }
  m.mr_enclave = im.Finish();
  return OkStatus();
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Lists regular files below `root`/`rel` recursively, refusing anything else.
Status ListFiles(const std::string& root, const std::string& rel,
                 std::vector<std::pair<std::string, uint64_t>>& out, int depth) {
  if (depth > 32) return BundleError("directories nested deeper than 32 levels");
  std::string path = rel.empty() ? root : root + "/" + rel;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    int err = errno;
    std::string message = "cannot open directory " + path + ": " + std::strerror(err);
    return err == ENOENT ? NotFoundError(message) : UnavailableError(message);
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(name);
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    if (rel.empty() && name == kBundleSignatureName) continue;
    struct stat st;
    if (::lstat((root + "/" + child).c_str(), &st) != 0) {
      return UnavailableError("cannot stat " + root + "/" + child + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
      return BundleError("\"" + child + "\" is a symbolic link; bundles hold only regular files");
    }
    if (S_ISDIR(st.st_mode)) {
      VOUCH_RETURN_IF_ERROR(ListFiles(root, child, out, depth + 1));
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      return BundleError("\"" + child + "\" is not a regular file");
    }
    if (Status s = CheckBundlePath(child); !s.ok()) return BundleError(s.message());
    out.emplace_back(child, static_cast<uint64_t>(st.st_size));
    if (out.size() > kMaxBundleFiles) {
      return BundleError("more than " + std::to_string(kMaxBundleFiles) + " files");
    }
  }
  return OkStatus();
}

}  // namespace

Status CheckBundlePath(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("empty file name");
  if (name.size() > kMaxBundleNameSize) {
    return InvalidArgumentError("file name longer than " + std::to_string(kMaxBundleNameSize) +
                                " bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgumentError("file name with a control character");
    }
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return InvalidArgumentError("file name \"" + std::string(name) +
                                  "\" has an empty, \".\" or \"..\" component");
    }
    start = end + 1;
  }
  return OkStatus();
}

std::string BundleIndex(std::span<const BundleFileLayout> files) {
  std::string index = kBundleIndexMagic;
  for (const BundleFileLayout& f : files) {
    index += std::to_string(f.size);
    index += ' ';
    index += f.name;
    index += '\n';
  }
  return index;
}

StatusOr<BundleManifest> BundleManifest::Parse(std::string_view text) {
  if (text.size() > kMaxManifestSize) {
    return ManifestError("larger than " + std::to_string(kMaxManifestSize) + " bytes");
  }
  auto parsed = vouch::internal::ParseStrictJsonDocument(text, internal::kMaxJsonDepth);
  if (!parsed.ok()) return ManifestError(parsed.status().message());
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return ManifestError("not a JSON object");
  static const std::set<std::string> kKeys = {"format",  "entry", "product_id",
                                              "isv_svn", "debug", "memory_size"};
  for (const auto& [key, value] : j.items()) {
    if (!kKeys.contains(key)) return ManifestError("unknown key \"" + key + "\"");
  }
  for (const std::string& key : kKeys) {
    if (!j.contains(key)) return ManifestError("missing \"" + key + "\"");
  }
  if (!j.at("format").is_string() || j.at("format").get<std::string>() != kBundleFormat) {
    return ManifestError(std::string("\"format\" must be \"") + kBundleFormat + "\"");
  }
  BundleManifest m;
  if (!j.at("entry").is_string()) return ManifestError("\"entry\" must be a string");
  m.entry = j.at("entry").get<std::string>();
  if (Status s = CheckBundlePath(m.entry); !s.ok()) {
    return ManifestError("\"entry\": " + s.message());
  }
  if (m.entry == kBundleManifestName || m.entry == kBundleSignatureName) {
    return ManifestError("\"entry\" names the manifest or the signature");
  }
  auto prod = vouch::internal::JsonUnsigned(j.at("product_id"), 65535);
  if (!prod.ok()) return ManifestError("\"product_id\": " + prod.status().message());
  auto svn = vouch::internal::JsonUnsigned(j.at("isv_svn"), 65535);
  if (!svn.ok()) return ManifestError("\"isv_svn\": " + svn.status().message());
  m.product_id = static_cast<uint16_t>(*prod);
  m.isv_svn = static_cast<uint16_t>(*svn);
  if (!j.at("debug").is_boolean()) return ManifestError("\"debug\" must be true or false");
  m.debug = j.at("debug").get<bool>();
  auto size = vouch::internal::JsonUnsigned(j.at("memory_size"), kMaxMemorySize);
  if (!size.ok() || !IsPowerOfTwo(*size) || *size < kMinMemorySize) {
    return ManifestError("\"memory_size\" must be a power of two from 65536 to 68719476736");
  }
  m.memory_size = *size;
  return m;
}

std::string BundleManifest::ToJson() const {
  nlohmann::ordered_json j;
  j["format"] = kBundleFormat;
  j["entry"] = entry;
  j["product_id"] = product_id;
  j["isv_svn"] = isv_svn;
  j["debug"] = debug;
  j["memory_size"] = memory_size;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

StatusOr<BundleMeasurement> MeasureBundleFiles(const BundleManifest& manifest,
                                               std::span<const BundleFileContent> files) {
  std::vector<const BundleFileContent*> sorted;
  for (const BundleFileContent& f : files) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  std::vector<std::pair<std::string, uint64_t>> listing;
  listing.reserve(sorted.size());
  for (const auto* f : sorted) listing.emplace_back(f->name, f->content.size());
  VOUCH_ASSIGN_OR_RETURN(BundleMeasurement m, PlanLayout(manifest, listing));
  VOUCH_RETURN_IF_ERROR(MeasurePlanned(
      manifest, m, [&](size_t i, const auto& sink) -> Status { return sink(sorted[i]->content); }));
  return m;
}

StatusOr<Bundle> Bundle::Load(const std::string& dir_in) {
  std::string dir = dir_in;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    int err = errno;
    std::string message = "cannot open bundle " + dir + ": " + std::strerror(err);
    return err == ENOENT ? NotFoundError(message) : UnavailableError(message);
  }
  if (!S_ISDIR(st.st_mode)) return BundleError(dir + " is not a directory");
  std::string manifest_path = dir + "/" + kBundleManifestName;
  struct stat mst;
  if (::lstat(manifest_path.c_str(), &mst) != 0) {
    if (errno == ENOENT)
      return BundleError("no " + std::string(kBundleManifestName) + " in " + dir);
    return UnavailableError("cannot stat " + manifest_path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(mst.st_mode)) return BundleError(manifest_path + " is not a regular file");
  auto text = ReadFileToString(manifest_path, kMaxManifestSize + 1);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kInvalidArgument) {
      return ManifestError("larger than " + std::to_string(kMaxManifestSize) + " bytes");
    }
    return text.status();
  }
  VOUCH_ASSIGN_OR_RETURN(BundleManifest manifest, BundleManifest::Parse(*text));
  std::vector<std::pair<std::string, uint64_t>> files;
  VOUCH_RETURN_IF_ERROR(ListFiles(dir, "", files, 0));
  std::sort(files.begin(), files.end());
  // Checks names, the entry program and the size now, so a loaded bundle is measurable.
  VOUCH_RETURN_IF_ERROR(PlanLayout(manifest, files).status());
  return Bundle(dir, std::move(manifest), std::move(files));
}

StatusOr<BundleMeasurement> Bundle::Measure() const {
  VOUCH_ASSIGN_OR_RETURN(BundleMeasurement m, PlanLayout(manifest_, files_));
  std::vector<uint8_t> buf(64 * 1024);
  VOUCH_RETURN_IF_ERROR(MeasurePlanned(manifest_, m, [&](size_t i, const auto& sink) -> Status {
    return StreamFile(dir_ + "/" + files_[i].first, files_[i].second, buf, sink,
                      reasons::kBundleChanged);
  }));
  return m;
}

StatusOr<Bytes> Bundle::MakeSigstruct(const BundleMeasurement& measurement,
                                      const RsaPrivateKey& key, uint32_t date_bcd) const {
  sgx::SigstructBody body;
  body.date = date_bcd;
  body.misc_select = 0;
  body.misc_mask = 0xffffffff;
  body.attributes[0] = static_cast<uint8_t>(kFlagMode64Bit | (manifest_.debug ? kFlagDebug : 0));
  body.attributes[8] = static_cast<uint8_t>(sgx::kXfrmLegacy);
  body.attribute_mask[0] = kFlagInit | kFlagDebug | kFlagMode64Bit;
  body.attribute_mask[8] = static_cast<uint8_t>(sgx::kXfrmLegacy);
  body.enclave_hash = measurement.mr_enclave;
  body.isv_prod_id = manifest_.product_id;
  body.isv_svn = manifest_.isv_svn;
  return sgx::SignSigstruct(body, key);
}

StatusOr<sgx::Sigstruct> Bundle::ReadSignature() const {
  std::string path = dir_ + "/" + kBundleSignatureName;
  auto bytes = ReadFile(path, sgx::kSigstructSize + 1);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return Status(StatusCode::kNotFound,
                    "bundle " + dir_ + " is not signed (no " + kBundleSignatureName +
                        "); sign it with `vouch enclave sign`",
                    reasons::kBundleUnsigned);
    }
    if (bytes.status().code() == StatusCode::kInvalidArgument) {
      return MalformedError(sgx::reasons::kSigstructMalformed,
                            path + " is larger than a SIGSTRUCT");
    }
    return bytes.status();
  }
  return sgx::Sigstruct::Parse(*bytes);
}

StatusOr<EnclaveIdentity> Bundle::SignedIdentity(const BundleMeasurement& measurement) const {
  VOUCH_ASSIGN_OR_RETURN(sgx::Sigstruct sig, ReadSignature());
  const sgx::SigstructBody& b = sig.body();
  auto mismatch = [&](const std::string& what) {
    return RejectedError(reasons::kBundleSignatureMismatch,
                         std::string(kBundleSignatureName) + " " + what +
                             "; re-sign the bundle with `vouch enclave sign`");
  };
  if (b.enclave_hash != measurement.mr_enclave) {
    return mismatch("is for another measurement (the bundle changed since it was signed)");
  }
  if (b.isv_prod_id != manifest_.product_id || b.isv_svn != manifest_.isv_svn) {
    return mismatch("states another product id or ISV SVN than the manifest");
  }
  if (b.debug() != manifest_.debug) return mismatch("disagrees with the manifest's debug flag");
  EnclaveIdentity id;
  id.mr_enclave = measurement.mr_enclave;
  id.mr_signer = sig.mr_signer();
  id.product_id = b.isv_prod_id;
  id.isv_svn = b.isv_svn;
  id.attributes = b.attributes;
  id.attributes[0] |= kFlagInit;  // set by EINIT
  return id;
}

}  // namespace vouch::platform
