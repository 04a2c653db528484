#include "supervisor/engine/inject_spec.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "arch/abi.h"
#include "filters/constants.h"
#include "filters/parser.h"

namespace sysgate {
namespace {

bool KnownSyscall(absl::string_view name) {
  for (AbiId abi : AllAbis()) {
    if (GetAbi(abi).Find(name)) return true;
  }
  return false;
}

absl::StatusOr<uint32_t> WhenNumber(absl::string_view s, uint32_t max) {
  uint32_t v;
  if (!absl::SimpleAtoi(s, &v) || v < 1 || v > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", s, "' is not a number in 1..", max));
  }
  return v;
}

absl::StatusOr<InjectWhen> ParseWhen(absl::string_view expr) {
  InjectWhen when;
  absl::string_view rest = expr;
  size_t plus = rest.find('+');
  absl::string_view range = rest.substr(0, plus);
  size_t dots = range.find("..");
  absl::StatusOr<uint32_t> first = WhenNumber(range.substr(0, dots), 65535);
  if (!first.ok()) return first.status();
  when.first = *first;
  if (dots != absl::string_view::npos) {
    absl::StatusOr<uint32_t> last = WhenNumber(range.substr(dots + 2), 65534);
    if (!last.ok()) return last.status();
    when.last = *last;
  } else if (plus == absl::string_view::npos) {
    when.last = when.first;  // "N": only the Nth.
  }
  if (plus != absl::string_view::npos && plus + 1 < rest.size()) {
    absl::StatusOr<uint32_t> step = WhenNumber(rest.substr(plus + 1), 65535);
    if (!step.ok()) return step.status();
    when.step = *step;
  }
  return when;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDelay(absl::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text,
        "' is not a delay (a number of microseconds, or with s, ms, us or ns; "
        "0 to 1 day)"));
  };
  struct Unit {
    absl::string_view suffix;
    double ns;
  };
  // The longest suffix first: "ms" and "ns" end in "s".
  constexpr Unit kUnits[] = {{"ms", 1e6}, {"us", 1e3}, {"ns", 1}, {"s", 1e9}};
  absl::string_view number = text;
  double ns_per_unit = 1e3;  // Microseconds, as strace defaults.
  for (const Unit& u : kUnits) {
    if (absl::EndsWith(text, u.suffix)) {
      number = text.substr(0, text.size() - u.suffix.size());
      ns_per_unit = u.ns;
      break;
    }
  }
  std::string digits(number);
  char* end = nullptr;
  double value = digits.empty() ? -1 : std::strtod(digits.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(value) || value < 0)
    return bad();
  double ns = value * ns_per_unit;
  if (ns > 86400e9) return bad();
  return absl::Nanoseconds(static_cast<int64_t>(ns));
}

namespace {

// One KEY=VALUE of a spec into `spec`; an error says why, unprefixed.
absl::Status ParseAction(absl::string_view key, absl::string_view value,
                         InjectSpec& spec) {
  auto bad = [](auto... why) {
    return absl::InvalidArgumentError(absl::StrCat(why...));
  };
  if (key == "error") {
    int err;
    if (auto named = ErrnoByName(value)) {
      err = *named;
    } else if (!absl::SimpleAtoi(value, &err) || err < 1 || err > 4095) {
      return bad("unknown errno '", value, "'");
    }
    spec.error = err;
  } else if (key == "retval") {
    int64_t v;
    if (!absl::SimpleAtoi(value, &v))
      return bad("retval '", value, "' is not a number");
    spec.retval = v;
  } else if (key == "signal") {
    absl::optional<int> sig = SignalByName(value);
    if (!sig) return bad("unknown signal '", value, "'");
    spec.signal = *sig;
  } else if (key == "syscall") {
    if (!KnownSyscall(value)) return bad("unknown syscall '", value, "'");
    spec.substitute = std::string(value);
  } else if (key == "delay_enter" || key == "delay_exit") {
    absl::StatusOr<absl::Duration> delay = ParseDelay(value);
    if (!delay.ok()) return bad(key, ": ", delay.status().message());
    (key == "delay_enter" ? spec.delay_enter : spec.delay_exit) = *delay;
  } else if (key == "when") {
    absl::StatusOr<InjectWhen> when = ParseWhen(value);
    if (!when.ok()) return bad("when: ", when.status().message());
    spec.when = *when;
  } else {
    return bad("unknown action '", key,
               "'; expected error=, retval=, signal=, syscall=, "
               "delay_enter=, delay_exit= or when=");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<InjectSpec> ParseInjectSpec(absl::string_view text) {
  InjectSpec spec;
  spec.text = std::string(text);
  auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--inject=", text, ": ", why));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  for (absl::string_view name : absl::StrSplit(parts[0], ',')) {
    if (!KnownSyscall(name)) {
      std::string hint = SuggestSyscall(name);
      return error(absl::StrCat(
          "unknown syscall '", name, "'",
          hint.empty() ? "" : absl::StrCat("; did you mean '", hint, "'?")));
    }
    spec.syscalls.push_back(std::string(name));
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(parts[i], absl::MaxSplits('=', 1));
    absl::Status parsed = ParseAction(kv.first, kv.second, spec);
    if (!parsed.ok()) return error(parsed.message());
  }
  if (spec.error && spec.retval)
    return error("error= and retval= are mutually exclusive");
  if (!spec.error && !spec.retval && !spec.signal && !spec.substitute &&
      !spec.delay_enter && !spec.delay_exit) {
    return error(
        "needs error=, retval=, signal= or syscall=, or a delay (delay_enter=, "
        "delay_exit=)");
  }
  return spec;
}

}  // namespace sysgate
