// `sysgate check`: a policy validated and compiled, without running it.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "arch/abi.h"
#include "arch/landlock.h"
#include "cli/command.h"
#include "filters/disassembler.h"
#include "filters/family_warnings.h"
#include "filters/multiplexed_routes.h"
#include "supervisor/engine/decision_engine.h"
#include "supervisor/notify/landlock_plan.h"
#include "supervisor/session/policy_files.h"

namespace sysgate::cli {
namespace {

constexpr FlagSpec kFlags[] = {
    {"--dump", FlagSpec::Kind::kSwitch},
    {"--machine", FlagSpec::Kind::kValue},
};

constexpr char kHelp[] =
    "usage: sysgate check [--dump] [--machine=x86_64|arm64|all] POLICY\n"
    "Validates POLICY, compiles it for each machine's ABIs and prints the "
    "filter sizes.\n\n"
    "  --dump           also print the BPF program, disassembled\n"
    "  --machine=M      x86_64 (x86-64 + i386), arm64, or all (default)\n";

int CheckOne(const std::string& path, const LoadedPolicy& loaded,
             const std::vector<AbiId>& abis, bool dump) {
  EngineConfig config;
  config.policy = loaded.policy;
  config.fallback_default = loaded.fallback_default;
  config.abis = abis;
  config.report_denials = true;
  absl::StatusOr<std::unique_ptr<DecisionEngine>> engine =
      DecisionEngine::Create(std::move(config));
  if (!engine.ok()) return PolicyFailure(engine.status());
  std::string names;
  for (AbiId abi : abis)
    absl::StrAppend(&names, names.empty() ? "" : "+", GetAbi(abi).name());
  absl::PrintF("%s: %s: %d rules, %d BPF instructions (limit %d)\n", path,
               names, loaded.policy.rules.size(), (*engine)->filter().size(),
               kMaxInstructions);
  const absl::optional<BpfProgram>& notify = (*engine)->notify_filter();
  if (notify) {
    absl::PrintF("%s: %s: notification filter: %d BPF instructions\n", path,
                 names, notify->size());
  }
  if (dump) {
    absl::PrintF("%s", Disassemble((*engine)->filter()));
    if (notify) absl::PrintF("notification filter:\n%s", Disassemble(*notify));
  }
  return 0;
}

// What Landlock makes of the grants on this kernel (README: Landlock
// behind the broker).
void PrintLandlockPlan(const std::string& path, const Policy& policy) {
  if (policy.broker_rules.empty()) return;
  int abi = landlock::Abi();
  if (abi == 0) {
    absl::PrintF("%s: %d broker rules; this kernel has no Landlock\n", path,
                 policy.broker_rules.size());
    return;
  }
  LandlockPlan plan = PlanLandlock(policy, abi);
  if (plan.exact()) {
    absl::PrintF(
        "%s: %d broker rules; Landlock (ABI %d here) expresses them exactly: "
        "a --quiet run leaves opens and changes by name to it\n",
        path, policy.broker_rules.size(), abi);
    if (plan.reads_proc) {
      absl::PrintF(
          "  a grant reads in a procfs: such a run starts the program without "
          "CAP_SYS_ADMIN and CAP_PERFMON, with which Landlock would let it "
          "read sysgate's environ and maps; where the grant reaches "
          "/proc/PID, it may read what any process may of another (status, "
          "stat, cmdline) of sysgate (--landlock=strict keeps both "
          "capabilities and the broker's refusal)\n");
    }
    return;
  }
  absl::PrintF(
      "%s: %d broker rules; Landlock (ABI %d here) confines more widely, so "
      "every brokered call stays the broker's:\n",
      path, policy.broker_rules.size(), abi);
  for (const std::string& why : plan.differences) absl::PrintF("  %s\n", why);
}

int Check(const ParsedFlags& flags) {
  if (flags.rest().empty())
    return UsageFailure(kCheckCommand, "no POLICY given");
  if (flags.rest().size() > 1)
    return UsageFailure(kCheckCommand, "one POLICY only");
  const std::string& path = flags.rest()[0];
  std::string machine = flags.Value("--machine", "all");
  std::vector<std::string> machines =
      machine == "all" ? std::vector<std::string>{"x86_64", "arm64"}
                       : std::vector<std::string>{machine};
  absl::StatusOr<LoadedPolicy> loaded = LoadPolicy(path);
  if (!loaded.ok()) return PolicyFailure(loaded.status());
  for (const std::string& warning : FamilyWarnings(loaded->policy))
    absl::FPrintF(stderr, "%s\n", warning);
  for (const std::string& warning : RefusedRouteWarnings(loaded->policy))
    absl::FPrintF(stderr, "%s\n", warning);
  for (const std::string& warning : MultiplexerRuleWarnings(loaded->policy))
    absl::FPrintF(stderr, "%s\n", warning);
  for (const std::string& m : machines) {
    absl::optional<std::vector<AbiId>> abis = MachineAbis(m);
    if (!abis)
      return Fail(absl::StrCat("check: unknown machine '", m,
                               "' (x86_64, arm64 or all)"));
    int status = CheckOne(path, *loaded, *abis, flags.Has("--dump"));
    if (status != 0) return status;
  }
  PrintLandlockPlan(path, loaded->policy);
  return 0;
}

}  // namespace

const Command kCheckCommand = {
    "check",
    "check [--dump] [--machine=x86_64|arm64|all] POLICY",
    kHelp,
    kFlags,
    /*program_follows=*/false,
    Check,
};

}  // namespace sysgate::cli
