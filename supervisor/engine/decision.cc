#include "supervisor/engine/decision.h"

#include <utility>

namespace sysgate {

Decision Decision::Allow() { return Decision(); }

Decision Decision::Fail(int error) {
  Decision d;
  d.kind = Kind::kFail;
  d.value = error;
  return d;
}

Decision Decision::Return(int64_t value) {
  Decision d;
  d.kind = Kind::kReturn;
  d.value = value;
  return d;
}

Decision Decision::Rewrite(int nr, const std::array<uint64_t, 6>& args) {
  Decision d;
  d.kind = Kind::kRewrite;
  d.nr = nr;
  d.args = args;
  return d;
}

Decision Decision::Inspect(ResultHook inspect) {
  Decision d;
  d.kind = Kind::kInspect;
  d.on_return = std::move(inspect);
  return d;
}

}  // namespace sysgate
