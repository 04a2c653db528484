#include "arch/registers.h"

#include <cstring>

namespace sysgate {

absl::optional<RegsLayout> RegisterImage::layout() const {
  for (RegsLayout l :
       {RegsLayout::kX86_64, RegsLayout::kI386, RegsLayout::kArm64}) {
    if (OpsFor(l).size == size) return l;
  }
  return absl::nullopt;
}

uint64_t RegisterImage::Word(size_t offset, size_t width) const {
  if (width == 4) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + offset, 4);
    return v;
  }
  uint64_t v;
  std::memcpy(&v, bytes.data() + offset, 8);
  return v;
}

void RegisterImage::SetWord(size_t offset, size_t width, uint64_t value) {
  if (width == 4) {
    uint32_t v = static_cast<uint32_t>(value);
    std::memcpy(bytes.data() + offset, &v, 4);
  } else {
    std::memcpy(bytes.data() + offset, &value, 8);
  }
}

const LayoutOps& OpsFor(RegsLayout layout) {
  switch (layout) {
    case RegsLayout::kX86_64:
      return X86_64Layout();
    case RegsLayout::kI386:
      return I386Layout();
    case RegsLayout::kArm64:
      return Arm64Layout();
  }
  return X86_64Layout();
}

int64_t SignedWord(AbiId abi, uint64_t value) {
  if (GetAbi(abi).word_bits() == 32) {
    return static_cast<int32_t>(static_cast<uint32_t>(value));
  }
  return static_cast<int64_t>(value);
}

}  // namespace sysgate
