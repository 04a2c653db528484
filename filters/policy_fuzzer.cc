// Fuzz target: policy text. Parsing and per-ABI resolution never crash,
// and every error they return is located (FILE:LINE:COL: error: ...).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "arch/abi.h"
#include "filters/parser.h"
#include "filters/resolve.h"

namespace {

void RequireLocated(const absl::Status& s) {
  if (!s.ok() && !absl::StartsWith(s.message(), "fuzz.policy:")) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  sysgate::FileLoader no_includes =
      [](const std::string&) -> absl::StatusOr<std::string> {
    return absl::NotFoundError("no includes while fuzzing");
  };
  absl::StatusOr<sysgate::Policy> policy =
      sysgate::ParsePolicy(text, "fuzz.policy", no_includes);
  RequireLocated(policy.status());
  if (!policy.ok()) return 0;
  for (sysgate::AbiId abi : sysgate::AllAbis())
    RequireLocated(sysgate::ResolvePolicy(*policy, abi).status());
  return 0;
}
