// The Landlock ruleset a broker policy's grants imply: the kernel's own
// check behind the broker's, for anything the broker does not see (a call
// it does not know yet, a bug of ours). Each grant gives its mode's rights
// beneath its longest literal prefix (the components before the first
// wildcard): `/usr/**` and `/etc/*.conf` confine to /usr and /etc, a
// literal pattern to that file. That is never narrower than the grant, so
// the broker's answers stand (but for /proc/self, which sysgate, building
// the ruleset, would name for itself: no rule there); where it is exactly
// the grant, the plan says so, and a run that reports nothing may leave
// the calls Landlock checks to Landlock alone (CallsLandlockConfines).
// A read grant covering /proc is exact only for a program that cannot
// read more than the world-readable entries of sysgate's /proc
// (`reads_proc`: the launcher drops kCapabilitiesReadingOtherProcesses).
#ifndef SYSGATE_SUPERVISOR_NOTIFY_LANDLOCK_PLAN_H_
#define SYSGATE_SUPERVISOR_NOTIFY_LANDLOCK_PLAN_H_

#include <string>
#include <vector>

#include "arch/landlock.h"
#include "filters/policy.h"

namespace sysgate {

struct LandlockPlan {
  landlock::Ruleset ruleset;
  // Why the ruleset does not allow exactly what the grants allow, one line
  // each (a deny rule, a wildcard below the prefix, /proc, a missing or
  // non-canonical path...); empty: exact.
  std::vector<std::string> differences;
  // A grant covers a procfs (/proc, or one mounted elsewhere; a write
  // grant there is also a difference). The broker refuses sysgate's own
  // entries there, and another process's that check their opener; Landlock
  // refuses a process outside the program's domain its fd/, mem, cwd, root and
  // exe, and with the capabilities in kCapabilitiesReadingOtherProcesses
  // dropped its environ and maps too, leaving what any process may read of any
  // other (status, stat, cmdline): the documented difference of a run on
  // Landlock alone, which must drop those capabilities.
  bool reads_proc = false;
  bool exact() const { return differences.empty(); }
};

// The rights a grant of `mode` gives, of those `abi` knows: read opens
// files, lists directories and runs files (the broker's check at the exec
// stop is the precise one, and reports); write adds writing, truncating,
// creating (never device nodes, which the broker refuses too), removing,
// and renaming or linking across directories; exec runs a file (and reads
// it: the kernel opens an image for reading as the program).
uint64_t RightsOfGrant(BrokerRule::Mode mode, int abi);

// Reads the file system (what each literal prefix is, where procfs is
// mounted), nothing else.
// Every right `abi` knows is handled, except READ_FILE and EXECUTE for a
// policy without `broker exec` rules that reads less than the whole file
// system: exec needs both, and such a policy leaves exec free (under a
// read grant on `/` every file is readable and runnable anyway).
LandlockPlan PlanLandlock(const Policy& policy, int abi);

// Adds, for a plan that handles reading, READ_FILE and EXECUTE on files
// any exec needs whatever the grants say: the program sysgate starts (the
// broker decides it at its exec stop) and the system's ELF interpreters
// (which the kernel opens as the program, and the broker never checks).
void AddExecutables(const std::vector<std::string>& files, LandlockPlan& plan);
// Whether the plan needs them: it handles READ_FILE or EXECUTE, and no
// rule gives both on `/` (`broker read /**`) already. Finding the
// interpreters lists directories, which costs a run's start milliseconds.
bool NeedsExecutables(const LandlockPlan& plan);

// The system's ELF interpreters (/lib64/ld-linux-x86-64.so.2, ...).
std::vector<std::string> SystemElfInterpreters();

// The brokered calls Landlock at `abi` checks as the broker would, for an
// exact plan: opening and creating by name, truncating by name (v3); and
// stat, access, readlink and O_PATH opens, which Landlock does not
// restrict at all: the program may learn what exists outside its grants,
// never read or change it. Never removing, renaming or linking (Landlock
// checks those on the parent directory, which a grant's own file or root
// lacks), chmod, chown, utimes or exec, which Landlock does not check (or,
// for exec, checks less than the broker, which sees the image the kernel
// loaded).
std::vector<std::string> CallsLandlockConfines(int abi);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_NOTIFY_LANDLOCK_PLAN_H_
