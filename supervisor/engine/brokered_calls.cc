#include "supervisor/engine/brokered_calls.h"

#include <fcntl.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sysgate {
namespace {

using Op = BrokerOp;

// Argument positions from each call's kernel signature (include/linux/
// syscalls.h); i386's stat64 calls are its own (arch/x86/entry/syscalls).
constexpr BrokeredCall kCalls[] = {
    Brokered("open", Op::kOpen).Path(0).Flags(1).Mode(2),
    Brokered("openat", Op::kOpen).At(0, 1).Flags(2).Mode(3),
    Brokered("openat2", Op::kOpen).At(0, 1).How(2, 3),
    Brokered("creat", Op::kOpen)
        .Path(0)
        .Flags(kNoArg, O_CREAT | O_WRONLY | O_TRUNC)
        .Mode(1),
    Brokered("stat", Op::kStat).Path(0).Buffer(1),
    Brokered("lstat", Op::kStat)
        .Path(0)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW)
        .Buffer(1),
    Brokered("newfstatat", Op::kStat).At(0, 1).Buffer(2).Flags(3),
    Brokered("statx", Op::kStat).At(0, 1).Flags(2).Mask(3).Buffer(4),
    Brokered("stat64", Op::kStat).Path(0).Buffer(1),
    Brokered("lstat64", Op::kStat)
        .Path(0)
        .Flags(kNoArg, AT_SYMLINK_NOFOLLOW)
        .Buffer(1),
    Brokered("fstatat64", Op::kStat).At(0, 1).Buffer(2).Flags(3),
    Brokered("access", Op::kAccess).Path(0).Mode(1),
    Brokered("faccessat", Op::kAccess).At(0, 1).Mode(2),
    Brokered("faccessat2", Op::kAccess).At(0, 1).Mode(2).Flags(3),
    Brokered("readlink", Op::kReadlink).Path(0).Buffer(1, 2),
    Brokered("readlinkat", Op::kReadlink).At(0, 1).Buffer(2, 3),
    Brokered("execve", Op::kExec).Path(0),
    Brokered("execveat", Op::kExec).At(0, 1).Flags(4),
};

struct OpText {
  Op op;
  const char* what;  // What sysgate does, and what each path needs.
};
constexpr OpText kOpTexts[] = {
    {Op::kOpen,
     "opened by sysgate as above (`read` grant for `O_RDONLY`, `write` for "
     "anything that writes, creates or truncates). A missing file is created "
     "only with `O_CREAT`, only where its resolved path has a `write` grant, "
     "never through a symlink (`RESOLVE_NO_SYMLINKS`), with the program's "
     "umask. `openat2`'s own `RESOLVE_*` flags are kept."},
    {Op::kStat,
     "answered by sysgate from the resolved object (`read` grant) and "
     "written into the program's buffer. `AT_EMPTY_PATH` with an empty path "
     "(fstat of a held fd) runs as is. i386's legacy `stat64`, `lstat64`, "
     "`fstatat64` are checked and then run by the kernel (glibc on i386 uses "
     "`statx`)."},
    {Op::kAccess,
     "answered by sysgate on the resolved object (`W_OK` needs a `write` "
     "grant)."},
    {Op::kReadlink,
     "the link itself needs a `read` grant; sysgate reads it and writes the "
     "target into the program's buffer."},
    {Op::kExec,
     "with `broker exec` rules: an ungranted path fails with EACCES up "
     "front; the call then runs by path, so the decisive check is at the "
     "exec stop: the image the kernel actually loaded (`/proc/PID/exe`), "
     "before it runs one instruction; an ungranted one is killed (SIGKILL) "
     "and reported. Scripts need their interpreter granted. Without `exec` "
     "rules exec is not restricted."},
};

}  // namespace

absl::Span<const BrokeredCall> BrokeredCalls() { return kCalls; }

const BrokeredCall* FindBrokeredCall(absl::string_view name) {
  for (const BrokeredCall& c : kCalls) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string DescribeOperands(const BrokeredCall& call) {
  std::vector<std::string> roles(6);
  auto name = [&](int8_t arg, const char* role) {
    if (arg != kNoArg) roles[arg] = role;
  };
  for (int i = 0; i < call.path_count(); ++i) {
    name(call.paths[i].dirfd, i == 0 ? "dirfd" : "dirfd2");
    name(call.paths[i].path, i == 0 ? "path" : "path2");
  }
  name(call.sockaddr, "sockaddr");
  if (call.sockaddr != kNoArg) name(call.sockaddr + 1, "addrlen");
  name(call.flags, "flags");
  name(call.mode, "mode");
  name(call.how, "how");
  name(call.mask, "mask");
  name(call.buffer, "buf");
  name(call.size, "size");
  while (!roles.empty() && roles.back().empty()) roles.pop_back();
  for (std::string& r : roles) {
    if (r.empty()) r = "...";
  }
  return absl::StrCat(call.name, "(", absl::StrJoin(roles, ", "), ")");
}

std::string BrokeredCallsMarkdown() {
  std::string out = "| calls | what happens |\n| --- | --- |\n";
  for (const OpText& text : kOpTexts) {
    std::vector<std::string> calls;
    for (const BrokeredCall& c : kCalls) {
      if (c.op == text.op)
        calls.push_back(absl::StrCat("`", DescribeOperands(c), "`"));
    }
    absl::StrAppend(&out, "| ", absl::StrJoin(calls, ", "), " | ", text.what,
                    " |\n");
  }
  return out;
}

}  // namespace sysgate
