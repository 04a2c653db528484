// What sysgate's filters and its supervisor agree on beyond the policy:
// the SECCOMP_RET_DATA values that are not a rule's index, and the system
// call numbers no ABI has, to which a stopped call is redirected so that
// the kernel's second pass over the filters (after every TRACE stop) does
// what only the kernel can do exactly (kill, trap) or hands the call to the
// notification server (the broker).
#ifndef SYSGATE_SUPERVISOR_ENGINE_RESERVED_H_
#define SYSGATE_SUPERVISOR_ENGINE_RESERVED_H_

#include <cstdint>

namespace sysgate {

// SECCOMP_RET_DATA of sysgate's TRACE and TRAP returns: an entry's index
// in the rule table, or one of these (never a valid index).
enum class RetData : uint16_t {
  kFirstReserved = 0xfff0,  // Indices are below.
  // A call of an ABI the filter has no section for (AArch32 on arm64): the
  // process is killed; it stops first only to be reported.
  kUnsupportedAbi = 0xfffb,
  // An x32 number: refused with ENOSYS; stops only to be reported.
  kX32 = 0xfffc,
  // A trap already reported at its TRACE stop (the SIGSYS is not reported
  // again).
  kReportedTrap = 0xfffe,
  // The policy's default decided.
  kDefault = 0xffff,
};

inline constexpr uint16_t DataOf(RetData d) { return static_cast<uint16_t>(d); }
inline constexpr int kMaxRuleEntries = DataOf(RetData::kFirstReserved);

// Numbers outside every syscall table, with no x32 bit (0x40000000), so
// never mistaken for x32. The main filter kills or traps the first three;
// the notification filter hands kBrokerHandoff + N (N: the call's own
// number on its ABI) to the broker, which serves it only if the ptrace
// side handed that very call over (a program that calls one itself is
// refused).
enum class ReservedNr : int {
  kKillProcess = 0x0fff0001,
  kKillThread = 0x0fff0002,
  kTrap = 0x0fff0003,
  kBrokerHandoff = 0x0ffe0000,
};
inline constexpr int NrOf(ReservedNr n) { return static_cast<int>(n); }
inline constexpr int kHandoffSpan = 0x10000;  // Every ABI's numbers fit.

inline constexpr int HandoffNr(int nr) {
  return NrOf(ReservedNr::kBrokerHandoff) + nr;
}
inline constexpr bool IsHandoffNr(int nr) {
  return nr >= NrOf(ReservedNr::kBrokerHandoff) &&
         nr < NrOf(ReservedNr::kBrokerHandoff) + kHandoffSpan;
}
inline constexpr int HandedOffNr(int handoff_nr) {
  return handoff_nr - NrOf(ReservedNr::kBrokerHandoff);
}

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_RESERVED_H_
