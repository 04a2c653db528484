#include "filters/oci.h"

#include <errno.h>
#include <linux/audit.h>

#include <fstream>
#include <sstream>

#include "filters/compiler.h"
#include "filters/interpreter.h"
#include "filters/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

OciContext Unprivileged() {
  OciContext ctx;
  ctx.arches = {"amd64", "x86", "x32", "SCMP_ARCH_X86_64"};
  ctx.kernel_release = "6.18.0";
  return ctx;
}

std::string DockerProfile() {
  std::ifstream in(std::string(getenv("TEST_SRCDIR")) +
                   "/sysgate/filters/testdata/docker-default-seccomp.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the policy decides for a call on x86-64: the rule's action or the
// default.
Action Decide(const Policy& p, const char* name,
              std::array<uint64_t, 6> args = {}) {
  AbiPolicy abi = *ResolvePolicy(p, AbiId::kX86_64);
  int rule = abi.Evaluate(GetAbi(AbiId::kX86_64).Find(name)->nr, args);
  return rule < 0 ? *p.default_action : p.rules[rule].action;
}

TEST(OciTest, ReadsDockersDefaultProfile) {
  std::string text = DockerProfile();
  ASSERT_FALSE(text.empty());
  EXPECT_TRUE(LooksLikeOciProfile(text));
  absl::StatusOr<Policy> p =
      ParseOciProfile(text, "default.json", Unprivileged());
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->default_action->kind, Action::Kind::kErrno);
  EXPECT_EQ(p->default_action->value, EPERM);
  EXPECT_EQ(Decide(*p, "read").kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*p, "arch_prctl").kind,
            Action::Kind::kAllow);  // includes.arches amd64
  // Without CAP_SYS_ADMIN: clone only without namespace flags, clone3 ENOSYS.
  EXPECT_EQ(Decide(*p, "clone", {0x11}).kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*p, "clone", {0x10000000}).kind,
            Action::Kind::kErrno);  // CLONE_NEWUSER
  EXPECT_EQ(Decide(*p, "clone3").value, ENOSYS);
  EXPECT_EQ(Decide(*p, "mount").kind, Action::Kind::kErrno);
  // personality: only the listed values.
  EXPECT_EQ(Decide(*p, "personality", {8}).kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*p, "personality", {9}).kind, Action::Kind::kErrno);
  // socket: everything but AF_VSOCK (40).
  EXPECT_EQ(Decide(*p, "socket", {2}).kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*p, "socket", {40}).kind, Action::Kind::kErrno);
  // ptrace needs 4.8+.
  EXPECT_EQ(Decide(*p, "ptrace").kind, Action::Kind::kAllow);
  OciContext old = Unprivileged();
  old.kernel_release = "4.4.0";
  EXPECT_EQ(Decide(*ParseOciProfile(text, "d.json", old), "ptrace").kind,
            Action::Kind::kErrno);
  // With CAP_SYS_ADMIN the capability entries apply.
  OciContext admin = Unprivileged();
  admin.capabilities = {"CAP_SYS_ADMIN"};
  absl::StatusOr<Policy> a = ParseOciProfile(text, "d.json", admin);
  EXPECT_EQ(Decide(*a, "clone3").kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*a, "clone", {0x10000000}).kind, Action::Kind::kAllow);
  // And it compiles for both machines.
  for (const std::vector<AbiId>& machine :
       {std::vector<AbiId>{AbiId::kX86_64, AbiId::kI386},
        std::vector<AbiId>{AbiId::kArm64}}) {
    std::vector<AbiPolicy> resolved;
    for (AbiId abi : machine) resolved.push_back(*ResolvePolicy(*p, abi));
    FilterSpec spec;
    for (const AbiPolicy& r : resolved) spec.abis.push_back(&r);
    spec.rule_returns.assign(p->rules.size(), SECCOMP_RET_ALLOW);
    EXPECT_TRUE(CompileFilter(spec).ok());
  }
}

TEST(OciTest, ErrorsAreLocated) {
  auto error = [](const std::string& text) {
    absl::StatusOr<Policy> p = ParseOciProfile(text, "p.json", Unprivileged());
    return p.ok() ? std::string("(parsed)") : std::string(p.status().message());
  };
  EXPECT_EQ(error("{\n  \"defaultAction\": \"SCMP_ACT_NOPE\"\n}"),
            "p.json:2:20: error: unsupported action 'SCMP_ACT_NOPE'");
  EXPECT_EQ(error("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": "
                  "[{\"names\": [\"read\"]}]}"),
            "p.json:2:15: error: syscalls[] entry without an action");
  EXPECT_THAT(error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                    "[\n{\"names\": [\"read\"], "
                    "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 9, "
                    "\"value\": 1, \"op\": "
                    "\"SCMP_CMP_EQ\"}]}]}"),
              HasSubstr("p.json:2:68: error: args[].index must be 0..5"));
  EXPECT_THAT(error("{\"defaultAction\": "),
              HasSubstr("p.json:1:19: error: unexpected end of JSON"));
  EXPECT_THAT(
      error("[1, 2]"),
      HasSubstr("p.json:1:1: error: an OCI seccomp profile is a JSON object"));
}

TEST(OciTest, WrittenProfilesReadBack) {
  std::vector<OciAllow> allows = {{{"read", "write"}, {}, "2 calls"},
                                  {{"fcntl"}, {{1, ~0ull, 2}}, ""},
                                  {{"openat"}, {{2, 3, 0}}, ""}};
  std::string text =
      WriteOciProfile(allows, EACCES, {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"});
  absl::StatusOr<Policy> p = ParseOciProfile(text, "w.json", Unprivileged());
  ASSERT_TRUE(p.ok()) << p.status() << "\n" << text;
  EXPECT_EQ(p->default_action->value, EACCES);
  EXPECT_EQ(Decide(*p, "read").kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*p, "fcntl", {0, 2}).kind, Action::Kind::kAllow);
  EXPECT_EQ(Decide(*p, "fcntl", {0, 3}).kind, Action::Kind::kErrno);
  EXPECT_EQ(Decide(*p, "openat", {0, 0, 0x80000}).kind,
            Action::Kind::kAllow);  // O_RDONLY|O_CLOEXEC
  EXPECT_EQ(Decide(*p, "openat", {0, 0, 1}).kind,
            Action::Kind::kErrno);  // O_WRONLY
  EXPECT_EQ(Decide(*p, "close").kind, Action::Kind::kErrno);
}

}  // namespace
}  // namespace sysgate
