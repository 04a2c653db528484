// Fuzz target: the compiler, differentially. A policy that parses and
// resolves must compile to a valid program that returns, for every number
// and sampled arguments, exactly what the parsed policy says
// (filters/filter_oracle.h); on both machines sysgate builds filters for.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "filters/bpf.h"
#include "filters/filter_oracle.h"
#include "filters/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sysgate;
  std::string text(reinterpret_cast<const char*>(data), size);
  FileLoader no_includes =
      [](const std::string&) -> absl::StatusOr<std::string> {
    return absl::NotFoundError("no includes while fuzzing");
  };
  absl::StatusOr<Policy> policy = ParsePolicy(text, "fuzz.policy", no_includes);
  if (!policy.ok()) return 0;
  for (const std::vector<AbiId>& machine :
       {std::vector<AbiId>{AbiId::kX86_64, AbiId::kI386},
        std::vector<AbiId>{AbiId::kArm64}}) {
    CompiledPolicy compiled;
    absl::Status s = CompileForOracle(*policy, machine, compiled);
    // Resolution may refuse a policy (an unknown name on this ABI); a
    // compiler error on a resolved policy is only "too large".
    if (!s.ok()) continue;
    if (!ValidateProgram(compiled.program).ok()) abort();
    std::mt19937_64 rng(std::hash<std::string>()(text));
    absl::Status agreed = CheckAgreement(compiled, rng, 16);
    if (!agreed.ok()) {
      fprintf(stderr, "compiler disagrees with the policy: %s\n",
              std::string(agreed.message()).c_str());
      abort();
    }
  }
  return 0;
}
