// sysgate's command line: flags -> options -> Supervisor -> exit status.
//
// Exit statuses: the program's own (128 + N when killed by signal N);
// 127 when it is not found, 126 when it cannot be executed; 125 for
// sysgate's own failures (bad usage, a policy error, a kernel without
// what sysgate needs).
#ifndef SYSGATE_SUPERVISOR_CLI_H_
#define SYSGATE_SUPERVISOR_CLI_H_

namespace sysgate {

inline constexpr int kExitSysgateFailure = 125;
inline constexpr char kVersion[] = "0.1.0";

int CliMain(int argc, char** argv);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_CLI_H_
