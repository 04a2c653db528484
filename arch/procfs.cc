#include "arch/procfs.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sysgate {
namespace {

std::string ProcPath(pid_t pid, absl::string_view entry) {
  return pid == 0 ? absl::StrCat("/proc/self/", entry)
                  : absl::StrCat("/proc/", pid, "/", entry);
}

}  // namespace

std::string ProcStatusField(pid_t pid, absl::string_view field) {
  std::ifstream status(ProcPath(pid, "status"));
  std::string prefix = absl::StrCat(field, ":");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0)
      return std::string(
          absl::StripAsciiWhitespace(line.substr(prefix.size())));
  }
  return "";
}

bool InterruptingSignalPending(pid_t tid) {
  return InterruptingSignalOf(tid) != PendingInterrupt::kNone;
}

PendingInterrupt InterruptingSignalOf(pid_t tid) {
  std::ifstream status(ProcPath(tid, "status"));
  uint64_t own = 0, shared = 0, blocked = 0, ignored = 0, caught = 0;
  uint64_t threads = 0;
  std::string line;
  while (std::getline(status, line)) {
    uint64_t* into = line.rfind("SigPnd:", 0) == 0   ? &own
                     : line.rfind("ShdPnd:", 0) == 0 ? &shared
                     : line.rfind("SigBlk:", 0) == 0 ? &blocked
                     : line.rfind("SigIgn:", 0) == 0 ? &ignored
                     : line.rfind("SigCgt:", 0) == 0 ? &caught
                                                     : nullptr;
    uint64_t value = 0;
    if (into != nullptr &&
        absl::SimpleHexAtoi(absl::StripAsciiWhitespace(line.substr(7)), &value))
      *into |= value;
    if (line.rfind("Threads:", 0) == 0)
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)),
                             &threads);
  }
  auto bit = [](int signal) { return uint64_t{1} << (signal - 1); };
  uint64_t harmless_by_default =
      bit(SIGCHLD) | bit(SIGURG) | bit(SIGWINCH) | bit(SIGCONT);
  uint64_t ends = ~blocked & ~ignored & ~(harmless_by_default & ~caught);
  if ((own & ends) != 0 || ((shared & ends) != 0 && threads == 1))
    return PendingInterrupt::kStaysForThread;
  return (shared & ends) != 0 ? PendingInterrupt::kMayBeTaken
                              : PendingInterrupt::kNone;
}

pid_t ThreadGroupOf(pid_t tid) {
  pid_t tgid;
  return absl::SimpleAtoi(ProcStatusField(tid, "Tgid"), &tgid) ? tgid : tid;
}

std::string ReadProcText(pid_t pid, absl::string_view entry) {
  std::ifstream in(ProcPath(pid, entry));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<int> MiscDeviceMinor(absl::string_view name) {
  std::ifstream misc("/proc/misc");
  if (!misc) return absl::UnavailableError("/proc/misc is unreadable");
  int minor;
  std::string listed;
  while (misc >> minor >> listed) {
    if (listed == name) return minor;
  }
  if (!misc.eof()) return absl::DataLossError("/proc/misc is unparsable");
  return absl::NotFoundError(absl::StrCat("no misc device ", name));
}

int HeldAccessMode(int fd_dir, absl::string_view fd_name) {
  std::string entry = absl::StrCat("../fdinfo/", fd_name);
  int fd = openat(fd_dir, entry.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char text[256];
  ssize_t n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= 0) return -1;
  // fs/proc/fd.c seq_show: "pos:\t%lli\nflags:\t0%o\n...".
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text, static_cast<size_t>(n)), '\n')) {
    if (!absl::ConsumePrefix(&line, "flags:")) continue;
    std::string octal(absl::StripAsciiWhitespace(line));
    char* end = nullptr;
    unsigned long flags = strtoul(octal.c_str(), &end, 8);
    if (octal.empty() || *end != '\0') return -1;
    return static_cast<int>(flags & O_ACCMODE);
  }
  return -1;
}

absl::StatusOr<unsigned long> ReadPersonality(pid_t pid) {
  // fs/proc/base.c proc_pid_personality: "%08x\n"; a ptrace-attach check,
  // which the tracer passes.
  std::string text = ReadProcText(pid, "personality");
  unsigned long value;
  if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return absl::UnavailableError(
        absl::StrCat("cannot read /proc/", pid, "/personality"));
  }
  return value;
}

absl::StatusOr<absl::optional<MappedRange>> WritableExecutableStack(pid_t pid) {
  std::string maps = ReadProcText(pid, "maps");
  // fs/proc/task_mmu.c show_map_vma: "start-end perms offset dev inode
  // name", in hex; right after exec the stack is one of a few lines.
  for (absl::string_view line : absl::StrSplit(maps, '\n')) {
    if (!absl::EndsWith(line, "[stack]")) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 2) break;
    std::vector<absl::string_view> range = absl::StrSplit(fields[0], '-');
    MappedRange r;
    if (range.size() != 2 || !absl::SimpleHexAtoi(range[0], &r.start) ||
        !absl::SimpleHexAtoi(range[1], &r.end) || fields[1].size() < 3) {
      break;
    }
    if (fields[1][1] == 'w' && fields[1][2] == 'x') return r;
    return absl::optional<MappedRange>();
  }
  return absl::UnavailableError(
      absl::StrCat("no stack in /proc/", pid, "/maps"));
}

std::string ReadProcLink(pid_t pid, absl::string_view entry) {
  char buf[4096];
  ssize_t n = readlink(ProcPath(pid, entry).c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, n) : "";
}

std::string ProcessName(pid_t pid) {
  std::string comm = ReadProcText(pid, "comm");
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

int OpenProcEntry(pid_t pid, absl::string_view entry, int flags) {
  return open(ProcPath(pid, entry).c_str(), flags);
}

std::string PathOfFd(int fd) {
  return ReadProcLink(0, absl::StrCat("fd/", fd));
}

int ReopenFd(int fd, int flags) {
  return open(ProcPath(0, absl::StrCat("fd/", fd)).c_str(), flags);
}

int OpenOwnDescription(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -1;
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    int own = ReopenFd(fd, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (own >= 0) {
      if (fcntl(own, F_SETFL, 0) == 0) return own;
      close(own);
    }
  }
  return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

}  // namespace sysgate
