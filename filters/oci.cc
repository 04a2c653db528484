#include "filters/oci.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "arch/abi.h"
#include "filters/constants.h"
#include "filters/json.h"

namespace sysgate {
namespace {

// Capability bits (include/uapi/linux/capability.h), by name.
constexpr const char* kCapabilities[] = {"CAP_CHOWN",
                                         "CAP_DAC_OVERRIDE",
                                         "CAP_DAC_READ_SEARCH",
                                         "CAP_FOWNER",
                                         "CAP_FSETID",
                                         "CAP_KILL",
                                         "CAP_SETGID",
                                         "CAP_SETUID",
                                         "CAP_SETPCAP",
                                         "CAP_LINUX_IMMUTABLE",
                                         "CAP_NET_BIND_SERVICE",
                                         "CAP_NET_BROADCAST",
                                         "CAP_NET_ADMIN",
                                         "CAP_NET_RAW",
                                         "CAP_IPC_LOCK",
                                         "CAP_IPC_OWNER",
                                         "CAP_SYS_MODULE",
                                         "CAP_SYS_RAWIO",
                                         "CAP_SYS_CHROOT",
                                         "CAP_SYS_PTRACE",
                                         "CAP_SYS_PACCT",
                                         "CAP_SYS_ADMIN",
                                         "CAP_SYS_BOOT",
                                         "CAP_SYS_NICE",
                                         "CAP_SYS_RESOURCE",
                                         "CAP_SYS_TIME",
                                         "CAP_SYS_TTY_CONFIG",
                                         "CAP_MKNOD",
                                         "CAP_LEASE",
                                         "CAP_AUDIT_WRITE",
                                         "CAP_AUDIT_CONTROL",
                                         "CAP_SETFCAP",
                                         "CAP_MAC_OVERRIDE",
                                         "CAP_MAC_ADMIN",
                                         "CAP_SYSLOG",
                                         "CAP_WAKE_ALARM",
                                         "CAP_BLOCK_SUSPEND",
                                         "CAP_AUDIT_READ",
                                         "CAP_PERFMON",
                                         "CAP_BPF",
                                         "CAP_CHECKPOINT_RESTORE"};

absl::Status Error(const JsonValue& at, absl::string_view message) {
  return PolicyError(at.loc, message);
}

std::vector<int> VersionParts(absl::string_view v) {
  std::vector<int> parts;
  for (absl::string_view p : absl::StrSplit(v, absl::ByAnyChar(".-"))) {
    int n;
    if (!absl::SimpleAtoi(p, &n)) break;
    parts.push_back(n);
  }
  return parts;
}

bool AnyIn(const JsonValue* list, const std::vector<std::string>& have) {
  for (const JsonValue& item : list->items) {
    for (const std::string& h : have) {
      if (item.text == h) return true;
    }
  }
  return false;
}

bool AnyCap(const JsonValue* list, const std::set<std::string>& caps) {
  for (const JsonValue& item : list->items) {
    if (caps.count(item.text)) return true;
  }
  return false;
}

bool AllCaps(const JsonValue* list, const std::set<std::string>& caps) {
  for (const JsonValue& item : list->items) {
    if (!caps.count(item.text)) return false;
  }
  return true;
}

// Whether an entry's includes/excludes select it on this machine.
bool Selected(const JsonValue& entry, const OciContext& ctx) {
  if (const JsonValue* inc = entry.Get("includes")) {
    const JsonValue* arches = inc->Get("arches");
    if (arches && !arches->items.empty() && !AnyIn(arches, ctx.arches))
      return false;
    const JsonValue* caps = inc->Get("caps");
    if (caps && !AllCaps(caps, ctx.capabilities)) return false;
    const JsonValue* min_kernel = inc->Get("minKernel");
    if (min_kernel &&
        VersionParts(ctx.kernel_release) < VersionParts(min_kernel->text))
      return false;
  }
  if (const JsonValue* exc = entry.Get("excludes")) {
    const JsonValue* arches = exc->Get("arches");
    if (arches && AnyIn(arches, ctx.arches)) return false;
    const JsonValue* caps = exc->Get("caps");
    if (caps && AnyCap(caps, ctx.capabilities)) return false;
  }
  return true;
}

absl::StatusOr<Action> ParseAction(const JsonValue* action,
                                   const JsonValue* errno_ret,
                                   int fallback_errno) {
  using K = Action::Kind;
  if (action == nullptr || action->kind != JsonValue::Kind::kString) {
    return absl::InvalidArgumentError("missing action");
  }
  const std::string& a = action->text;
  if (a == "SCMP_ACT_ALLOW") return Action{K::kAllow, 0};
  if (a == "SCMP_ACT_LOG") return Action{K::kAudit, 0};
  if (a == "SCMP_ACT_TRACE") return Action{K::kLog, 0};
  if (a == "SCMP_ACT_TRAP") return Action{K::kTrap, 0};
  if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD")
    return Action{K::kKillThread, 0};
  if (a == "SCMP_ACT_KILL_PROCESS") return Action{K::kKillProcess, 0};
  if (a == "SCMP_ACT_ERRNO") {
    int64_t err = fallback_errno;
    if (errno_ret && !errno_ret->AsInt64(&err))
      return Error(*errno_ret, "errnoRet must be a number");
    if (err < 0 || err > 4095)
      return Error(*errno_ret, "errnoRet must be between 0 and 4095");
    return Action{K::kErrno, err};
  }
  return Error(*action, absl::StrCat("unsupported action '", a, "'"));
}

absl::StatusOr<std::unique_ptr<CondExpr>> ParseArg(const JsonValue& arg) {
  auto cond = std::make_unique<CondExpr>();
  cond->kind = CondExpr::Kind::kCompare;
  cond->loc = arg.loc;
  int64_t index;
  const JsonValue* index_v = arg.Get("index");
  if (!index_v || !index_v->AsInt64(&index) || index < 0 || index > 5) {
    return Error(index_v ? *index_v : arg, "args[].index must be 0..5");
  }
  cond->operand = absl::StrCat("arg", index);
  uint64_t value = 0, value_two = 0;
  const JsonValue* value_v = arg.Get("value");
  if (!value_v || !value_v->AsUint64(&value))
    return Error(arg, "args[].value must be an unsigned number");
  if (const JsonValue* two = arg.Get("valueTwo")) {
    if (!two->AsUint64(&value_two))
      return Error(*two, "args[].valueTwo must be an unsigned number");
  }
  const JsonValue* op = arg.Get("op");
  if (!op) return Error(arg, "args[].op is missing");
  static const std::pair<const char*, CmpOp> kOps[] = {
      {"SCMP_CMP_EQ", CmpOp::kEq}, {"SCMP_CMP_NE", CmpOp::kNe},
      {"SCMP_CMP_LT", CmpOp::kLt}, {"SCMP_CMP_LE", CmpOp::kLe},
      {"SCMP_CMP_GT", CmpOp::kGt}, {"SCMP_CMP_GE", CmpOp::kGe}};
  auto literal = [&](uint64_t v) {
    ValueExpr e;
    e.terms.push_back({"", v, arg.loc});
    return e;
  };
  if (op->text == "SCMP_CMP_MASKED_EQ") {
    cond->mask = literal(value);
    cond->op = CmpOp::kEq;
    cond->value = literal(value_two);
    return cond;
  }
  for (const auto& [name, cmp] : kOps) {
    if (op->text == name) {
      cond->op = cmp;
      cond->value = literal(value);
      return cond;
    }
  }
  return Error(*op, absl::StrCat("unknown comparison '", op->text, "'"));
}

bool KnownToSomeAbi(const std::string& name) {
  for (AbiId abi : AllAbis()) {
    if (GetAbi(abi).Find(name)) return true;
  }
  return false;
}

}  // namespace

OciContext MachineOciContext(uint64_t effective_capabilities,
                             absl::string_view kernel_release) {
  OciContext ctx;
#if defined(__x86_64__)
  ctx.arches = {"amd64", "x86_64",           "x86",           "i386",
                "x32",   "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
  ctx.arches = {"arm64", "aarch64", "arm", "SCMP_ARCH_AARCH64",
                "SCMP_ARCH_ARM"};
#endif
  for (size_t i = 0; i < sizeof(kCapabilities) / sizeof(kCapabilities[0]);
       ++i) {
    if (effective_capabilities & (1ull << i))
      ctx.capabilities.insert(kCapabilities[i]);
  }
  ctx.kernel_release = std::string(kernel_release);
  return ctx;
}

bool LooksLikeOciProfile(absl::string_view text) {
  absl::string_view t = absl::StripLeadingAsciiWhitespace(text);
  return !t.empty() && t[0] == '{';
}

absl::StatusOr<Policy> ParseOciProfile(absl::string_view text,
                                       const std::string& file,
                                       const OciContext& context) {
  absl::StatusOr<JsonValue> doc = ParseJson(text, file);
  if (!doc.ok()) return doc.status();
  if (doc->kind != JsonValue::Kind::kObject)
    return Error(*doc, "an OCI seccomp profile is a JSON object");
  Policy policy;
  int64_t default_errno = 1;  // EPERM, runc's default for SCMP_ACT_ERRNO.
  if (const JsonValue* d = doc->Get("defaultErrnoRet")) {
    if (!d->AsInt64(&default_errno))
      return Error(*d, "defaultErrnoRet must be a number");
  }
  const JsonValue* default_action = doc->Get("defaultAction");
  if (default_action == nullptr) return Error(*doc, "missing defaultAction");
  absl::StatusOr<Action> def =
      ParseAction(default_action, nullptr, static_cast<int>(default_errno));
  if (!def.ok()) return def.status();
  policy.default_action = *def;
  policy.default_loc = default_action->loc;
  const JsonValue* syscalls = doc->Get("syscalls");
  if (syscalls == nullptr) return policy;
  if (syscalls->kind != JsonValue::Kind::kArray)
    return Error(*syscalls, "syscalls must be an array");
  std::vector<Rule> conditional, unconditional;
  for (const JsonValue& entry : syscalls->items) {
    if (!Selected(entry, context)) continue;
    absl::StatusOr<Action> action =
        ParseAction(entry.Get("action"), entry.Get("errnoRet"), 1);
    if (!action.ok()) {
      return absl::IsInvalidArgument(action.status()) &&
                     action.status().message() == "missing action"
                 ? Error(entry, "syscalls[] entry without an action")
                 : action.status();
    }
    Rule rule;
    rule.action = *action;
    rule.loc = entry.loc;
    std::vector<const JsonValue*> names;
    if (const JsonValue* list = entry.Get("names")) {
      for (const JsonValue& n : list->items) names.push_back(&n);
    }
    if (const JsonValue* one = entry.Get("name")) names.push_back(one);
    for (const JsonValue* n : names) {
      if (!KnownToSomeAbi(n->text)) continue;  // Another architecture's call.
      rule.syscalls.push_back(n->text);
      rule.syscall_locs.push_back(n->loc);
    }
    if (rule.syscalls.empty()) continue;
    if (const JsonValue* args = entry.Get("args");
        args && !args->items.empty()) {
      std::unique_ptr<CondExpr> all;
      for (const JsonValue& arg : args->items) {
        absl::StatusOr<std::unique_ptr<CondExpr>> c = ParseArg(arg);
        if (!c.ok()) return c.status();
        if (!all) {
          all = std::move(*c);
          continue;
        }
        auto both = std::make_unique<CondExpr>();
        both->kind = CondExpr::Kind::kAnd;
        both->loc = arg.loc;
        both->children.push_back(std::move(all));
        both->children.push_back(std::move(*c));
        all = std::move(both);
      }
      rule.condition = std::move(all);
      conditional.push_back(std::move(rule));
    } else {
      unconditional.push_back(std::move(rule));
    }
  }
  for (Rule& r : conditional) policy.rules.push_back(std::move(r));
  for (Rule& r : unconditional) policy.rules.push_back(std::move(r));
  return policy;
}

std::string WriteOciProfile(const std::vector<OciAllow>& allows,
                            int default_errno,
                            const std::vector<std::string>& architectures) {
  std::vector<std::string> arches;
  for (const std::string& a : architectures) arches.push_back(JsonQuote(a));
  std::string out = absl::StrCat(
      "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": ",
      default_errno, ",\n  \"architectures\": [", absl::StrJoin(arches, ", "),
      "],\n  \"syscalls\": [");
  for (size_t i = 0; i < allows.size(); ++i) {
    const OciAllow& a = allows[i];
    std::vector<std::string> names;
    for (const std::string& n : a.names) names.push_back(JsonQuote(n));
    absl::StrAppend(&out, i ? "," : "", "\n    {\n      \"names\": [",
                    absl::StrJoin(names, ", "),
                    "],\n      \"action\": \"SCMP_ACT_ALLOW\"");
    if (!a.args.empty()) {
      absl::StrAppend(&out, ",\n      \"args\": [");
      for (size_t j = 0; j < a.args.size(); ++j) {
        const OciArgEquality& e = a.args[j];
        if (e.mask == ~0ull) {
          absl::StrAppend(&out, j ? ", " : "", "{\"index\": ", e.index,
                          ", \"value\": ", e.value,
                          ", \"op\": \"SCMP_CMP_EQ\"}");
        } else {
          absl::StrAppend(&out, j ? ", " : "", "{\"index\": ", e.index,
                          ", \"value\": ", e.mask, ", \"valueTwo\": ", e.value,
                          ", \"op\": \"SCMP_CMP_MASKED_EQ\"}");
        }
      }
      absl::StrAppend(&out, "]");
    }
    if (!a.comment.empty())
      absl::StrAppend(&out, ",\n      \"comment\": ", JsonQuote(a.comment));
    absl::StrAppend(&out, "\n    }");
  }
  absl::StrAppend(&out, "\n  ]\n}\n");
  return out;
}

}  // namespace sysgate
