#include "supervisor/report/report.h"

#include <errno.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "arch/procfs.h"
#include "filters/constants.h"
#include "filters/json.h"
#include "supervisor/report/call_format.h"

namespace sysgate {
namespace {

std::string Who(const Event& e) {
  std::string who = absl::StrCat("pid ", e.pid);
  // The name is the program's own (PR_SET_NAME, its file name): escaped.
  if (!e.program.empty())
    absl::StrAppend(&who, " (", EscapeString(e.program), ")");
  if (e.tid != e.pid) absl::StrAppend(&who, ", tid ", e.tid);
  if (e.call && e.call->abi != HostAbis()[0])
    absl::StrAppend(&who, " [", GetAbi(e.call->abi).name(), "]");
  return who;
}

// "errno(EACCES)" -> "errno EACCES", as the one-line report reads.
std::string ActionPhrase(const std::string& action) {
  size_t paren = action.find('(');
  if (paren == std::string::npos || action.back() != ')') return action;
  return absl::StrCat(action.substr(0, paren), " ",
                      action.substr(paren + 1, action.size() - paren - 2));
}

}  // namespace

CallInfo CallInfoOf(const SyscallStop& stop, bool decode) {
  CallInfo call;
  call.abi = stop.abi;
  call.name = GetAbi(stop.abi).Name(stop.nr);
  call.nr = stop.nr;
  call.args = stop.args;
  call.ip = stop.ip;
  call.vsyscall = stop.is_vsyscall();
  if (decode) call.text = FormatCall(stop);
  return call;
}

const char* EventName(Event::Kind kind) {
  switch (kind) {
    case Event::Kind::kViolation:
      return "violation";
    case Event::Kind::kLog:
      return "log";
    case Event::Kind::kEmulate:
      return "emulate";
    case Event::Kind::kInject:
      return "inject";
    case Event::Kind::kRefused:
      return "refused";
    case Event::Kind::kForeign:
      return "foreign";
    case Event::Kind::kExec:
      return "exec";
    case Event::Kind::kExit:
      return "exit";
    case Event::Kind::kSignal:
      return "signal";
  }
  return "?";
}

Reporter::Reporter(ReportOptions options, const LineWriter* stderr_lines,
                   const LineWriter* log)
    : options_(options), stderr_(stderr_lines), log_(log) {}

std::string Reporter::HumanLine(const Event& e) {
  std::string call = e.call ? e.call->text : "a system call";
  std::string notes;
  if (e.call && e.call->vsyscall) absl::StrAppend(&notes, " [vsyscall]");
  if (e.foreign)
    absl::StrAppend(&notes, " [the program's own filter also asked]");
  switch (e.kind) {
    case Event::Kind::kViolation: {
      std::string text = absl::StrCat(
          "sysgate: ", Who(e), ": ", call, notes, " denied by ", e.rule, " (",
          ActionPhrase(e.action), ")", e.detail.empty() ? "" : "; ", e.detail);
      for (size_t i = 0; i < e.stack.size(); ++i) {
        absl::StrAppend(&text, "\n    ", FormatFrame(i, e.stack[i]));
      }
      return text;
    }
    case Event::Kind::kRefused:
      return absl::StrCat("sysgate: ", Who(e), ": ", call, notes, ": ",
                          e.detail, "; failed with ENOSYS (", e.rule, ")");
    default:
      return "";
  }
}

std::string Reporter::JsonLine(const Event& e) {
  std::string out = absl::StrCat("{\"event\":", JsonQuote(EventName(e.kind)),
                                 ",\"pid\":", e.pid, ",\"tid\":", e.tid);
  if (!e.program.empty()) {
    absl::StrAppend(&out, ",\"program\":", JsonQuote(e.program));
  }
  if (e.call) {
    const CallInfo& c = *e.call;
    absl::StrAppend(&out, ",\"abi\":", JsonQuote(GetAbi(c.abi).name()),
                    ",\"syscall\":", JsonQuote(c.name), ",\"nr\":", c.nr,
                    ",\"args\":[");
    for (int i = 0; i < 6; ++i) absl::StrAppend(&out, i ? "," : "", c.args[i]);
    absl::StrAppend(&out, "],\"call\":", JsonQuote(c.text));
    if (c.vsyscall) absl::StrAppend(&out, ",\"vsyscall\":true");
  }
  if (!e.action.empty())
    absl::StrAppend(&out, ",\"action\":", JsonQuote(e.action));
  if (!e.rule.empty()) absl::StrAppend(&out, ",\"rule\":", JsonQuote(e.rule));
  if (e.foreign) absl::StrAppend(&out, ",\"foreign_filter\":true");
  if (!e.detail.empty())
    absl::StrAppend(&out, ",\"detail\":", JsonQuote(e.detail));
  if (e.kind == Event::Kind::kExec)
    absl::StrAppend(&out, ",\"path\":", JsonQuote(e.path));
  if (e.kind == Event::Kind::kExit)
    absl::StrAppend(&out, ",\"status\":", e.status);
  if (e.signal)
    absl::StrAppend(&out, ",\"signal\":", JsonQuote(SignalName(e.signal)));
  if (!e.stack.empty()) {
    absl::StrAppend(&out, ",\"stack\":[");
    for (size_t i = 0; i < e.stack.size(); ++i) {
      const StackFrame& f = e.stack[i];
      absl::StrAppend(&out, i ? "," : "", "{\"ip\":", f.ip);
      if (!f.module.empty()) {
        absl::StrAppend(&out, ",\"module\":", JsonQuote(f.module_path),
                        ",\"offset\":", f.module_offset);
      }
      if (!f.function.empty()) {
        absl::StrAppend(&out, ",\"function\":", JsonQuote(f.function));
      }
      if (!f.file.empty()) {
        absl::StrAppend(&out, ",\"file\":", JsonQuote(f.file),
                        ",\"line\":", f.line);
      }
      absl::StrAppend(&out, "}");
    }
    absl::StrAppend(&out, "]");
  }
  return out + "}";
}

bool Reporter::Wants(Event::Kind kind) const {
  return observer_ != nullptr || WantsText(kind);
}

bool Reporter::WantsText(Event::Kind kind) const {
  return log_ != nullptr || options_.decode_all ||
         (!options_.quiet &&
          (kind == Event::Kind::kViolation || kind == Event::Kind::kRefused));
}

void Reporter::Report(const Event& original) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Event* event_ptr = &original;
  Event with_stack;
  if (options_.stack_traces && original.kind == Event::Kind::kViolation &&
      original.call && original.stack.empty()) {
    with_stack = original;
    with_stack.stack =
        UnwindStack(original.tid, original.call->abi, original.call->ip);
    event_ptr = &with_stack;
  }
  // Call events and violations name the program (a violation of an ABI
  // sysgate cannot decode has no call); the process is still there.
  bool names_program =
      original.call || original.kind == Event::Kind::kViolation;
  if (names_program && original.program.empty() && WantsText(original.kind)) {
    if (event_ptr != &with_stack) {
      with_stack = original;
      event_ptr = &with_stack;
    }
    with_stack.program = ProcessName(original.pid);
  }
  const Event& event = *event_ptr;
  if (observer_) observer_(event);
  // A line nothing can take (its reader gone, the disk full) has nowhere
  // else to go: the run goes on, as the program's own writes would.
  if (!options_.quiet && stderr_) {
    std::string line = HumanLine(event);
    if (!line.empty()) stderr_->WriteLine(line).IgnoreError();
  }
  if (log_) log_->WriteLine(JsonLine(event)).IgnoreError();
}

}  // namespace sysgate
