// Fuzz target: OCI (Docker) seccomp profiles. Reading never crashes, and
// every error is located in the file.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "filters/oci.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Every capability and a kernel of today: every include can be met.
  static const sysgate::OciContext context =
      sysgate::MachineOciContext(~0ull, "6.18.0");
  std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<sysgate::Policy> policy =
      sysgate::ParseOciProfile(text, "fuzz.json", context);
  if (!policy.ok() && !absl::StartsWith(policy.status().message(), "fuzz.json"))
    abort();
  return 0;
}
