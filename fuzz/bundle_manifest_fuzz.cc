// libFuzzer target for the enclave bundle manifest parser (docs/measurement.md).
//
// Properties checked on every input:
//   * failures are kInvalidArgument with reason "manifest_malformed";
//   * a parsed manifest round-trips: Parse(ToJson()) gives the same canonical text;
//   * a parsed manifest measures (with a small entry program) or fails cleanly, and the
//     measurement is deterministic.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/platform/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto manifest = platform::BundleManifest::Parse(text);
  if (!manifest.ok()) {
    if (manifest.status().code() != StatusCode::kInvalidArgument ||
        manifest.status().reason() != "manifest_malformed") {
      std::abort();
    }
    return 0;
  }
  std::string canonical = manifest->ToJson();
  auto again = platform::BundleManifest::Parse(canonical);
  if (!again.ok() || again->ToJson() != canonical) std::abort();

  const std::string program = "#!/bin/sh\necho fuzz\n";
  platform::BundleFileContent files[] = {{platform::kBundleManifestName, AsBytes(text)},
                                         {manifest->entry, AsBytes(program)}};
  auto m1 = platform::MeasureBundleFiles(*manifest, files);
  auto m2 = platform::MeasureBundleFiles(*manifest, files);
  if (m1.ok() != m2.ok()) std::abort();
  if (m1.ok() && (m1->mr_enclave != m2->mr_enclave || m1->total_pages < 3)) std::abort();
  if (!m1.ok() && m1.status().code() != StatusCode::kInvalidArgument) std::abort();
  return 0;
}
