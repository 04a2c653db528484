#include "supervisor/report/stack_trace.h"

#include <cxxabi.h>
#include <libunwind-ptrace.h>
#include <stdio.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "arch/procfs.h"
#include "supervisor/report/call_format.h"

namespace sysgate {
namespace {

struct Mapping {
  uint64_t start, end;
  std::string path;
  uint64_t base;  // Lowest start of any mapping of the same file.
};

std::vector<Mapping> ReadMaps(pid_t tid) {
  std::vector<Mapping> maps;
  std::map<std::string, uint64_t> base;
  for (absl::string_view line :
       absl::StrSplit(ReadProcText(tid, "maps"), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 6) continue;  // Anonymous memory.
    std::pair<absl::string_view, absl::string_view> range =
        absl::StrSplit(f[0], '-');
    Mapping m;
    if (!absl::SimpleHexAtoi(range.first, &m.start) ||
        !absl::SimpleHexAtoi(range.second, &m.end))
      continue;
    m.path = std::string(f[5]);
    auto [it, inserted] = base.emplace(m.path, m.start);
    if (!inserted && m.start < it->second) it->second = m.start;
    maps.push_back(m);
  }
  for (Mapping& m : maps) m.base = base[m.path];
  return maps;
}

std::string Demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// Raw return addresses from libunwind, innermost first, with the names
// libunwind found in the modules' symbol tables.
void Unwind(pid_t tid, size_t max_frames, std::vector<StackFrame>* frames) {
  unw_addr_space_t space = unw_create_addr_space(&_UPT_accessors, 0);
  if (space == nullptr) return;
  void* context = _UPT_create(tid);
  unw_cursor_t cursor;
  if (context != nullptr && unw_init_remote(&cursor, space, context) == 0) {
    do {
      unw_word_t ip = 0;
      if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
      StackFrame frame;
      frame.ip = ip;
      char name[512];
      unw_word_t offset = 0;
      if (unw_get_proc_name(&cursor, name, sizeof(name), &offset) == 0) {
        frame.function = Demangle(name);
        frame.function_offset = offset;
      }
      frames->push_back(std::move(frame));
    } while (frames->size() < max_frames && unw_step(&cursor) > 0);
  }
  if (context != nullptr) _UPT_destroy(context);
  unw_destroy_addr_space(space);
}

// file:line (and a better function name, inlined frames aside) for each
// frame of one module, in one addr2line run. Return addresses point after
// the call, so frames past the first are looked up one byte earlier.
void AddLineInfo(const std::string& module,
                 const std::vector<StackFrame*>& frames,
                 const std::vector<bool>& is_return) {
  if (access("/usr/bin/addr2line", X_OK) != 0) return;
  std::string command =
      absl::StrCat("/usr/bin/addr2line -f -C -e '", module, "'");
  for (size_t i = 0; i < frames.size(); ++i) {
    absl::StrAppendFormat(&command, " %#x",
                          frames[i]->module_offset - (is_return[i] ? 1 : 0));
  }
  if (module.find('\'') != std::string::npos) return;
  FILE* pipe = popen(command.c_str(), "re");
  if (pipe == nullptr) return;
  char function[1024], location[4096];
  for (StackFrame* frame : frames) {
    if (!fgets(function, sizeof(function), pipe) ||
        !fgets(location, sizeof(location), pipe))
      break;
    absl::string_view where =
        absl::StripSuffix(absl::string_view(location), "\n");
    size_t colon = where.rfind(':');
    int line = 0;
    if (colon != absl::string_view::npos && where.substr(0, 2) != "??" &&
        absl::SimpleAtoi(
            where.substr(colon + 1, where.find(' ', colon) - colon - 1),
            &line) &&
        line > 0) {
      frame->file = std::string(where.substr(0, colon));
      frame->line = line;
    }
    // Debug info and the full symbol table name static functions that
    // libunwind's nearest exported symbol gets wrong.
    absl::string_view fn = absl::StripSuffix(absl::string_view(function), "\n");
    if (fn != "??" && fn != frame->function) {
      frame->function = std::string(fn);
      frame->function_offset = 0;
    }
  }
  pclose(pipe);
}

}  // namespace

std::vector<StackFrame> UnwindStack(pid_t tid, AbiId abi, uint64_t ip,
                                    size_t max_frames) {
  std::vector<StackFrame> frames;
  // libunwind unwinds the host's own ABI only.
  if (abi == HostAbis()[0]) Unwind(tid, max_frames, &frames);
  if (frames.empty()) frames.push_back(StackFrame{ip});
  std::vector<Mapping> maps = ReadMaps(tid);
  std::map<std::string, std::pair<std::vector<StackFrame*>, std::vector<bool>>>
      by_module;
  for (size_t i = 0; i < frames.size(); ++i) {
    StackFrame& f = frames[i];
    for (const Mapping& m : maps) {
      if (f.ip < m.start || f.ip >= m.end) continue;
      f.module_path = m.path;
      f.module =
          m.path[0] == '/' ? m.path.substr(m.path.rfind('/') + 1) : m.path;
      f.module_offset = f.ip - m.base;
      by_module[m.path].first.push_back(&f);
      by_module[m.path].second.push_back(i > 0);
      break;
    }
  }
  for (auto& [module, entry] : by_module) {
    if (module[0] == '/') AddLineInfo(module, entry.first, entry.second);
  }
  return frames;
}

// Names, module paths and source files all come from the program's own
// files: escaped, like every string of a report line.
std::string FormatFrame(size_t index, const StackFrame& f) {
  std::string out = absl::StrFormat("#%d 0x%016x", index, f.ip);
  if (!f.function.empty()) {
    absl::StrAppend(&out, " in ", EscapeString(f.function));
    if (f.function_offset)
      absl::StrAppendFormat(&out, "+%#x", f.function_offset);
  }
  if (!f.module.empty()) {
    absl::StrAppendFormat(&out, " (%s+%#x)", EscapeString(f.module),
                          f.module_offset);
  }
  if (!f.file.empty())
    absl::StrAppend(&out, " at ", EscapeString(f.file), ":", f.line);
  return out;
}

}  // namespace sysgate
