#include "arch/stat_layout.h"

#include <errno.h>
#include <sys/sysmacros.h>

#include <cstdint>
#include <cstring>

namespace sysgate {
namespace {

// Little-endian fields at fixed offsets, as the i386 structs lay them out.
class Fields {
 public:
  explicit Fields(size_t size) : bytes_(size, '\0') {}
  template <typename T>
  void Put(size_t offset, T value) {
    std::memcpy(&bytes_[offset], &value, sizeof(value));
  }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// include/linux/kdev_t.h: new_encode_dev, which huge_encode_dev is.
uint64_t NewEncodeDev(dev_t dev) {
  uint64_t ma = major(dev), mi = minor(dev);
  return (mi & 0xff) | (ma << 8) | ((mi & ~0xffull) << 12);
}

// struct stat64, packed, 96 bytes (cp_stat64). Its ids are 32-bit and its
// sizes 64-bit: no overflow to report.
StatBuffer Stat64(const struct stat& st) {
  Fields f(96);
  f.Put<uint64_t>(0, NewEncodeDev(st.st_dev));
  f.Put<uint32_t>(12, static_cast<uint32_t>(st.st_ino));  // __st_ino
  f.Put<uint32_t>(16, st.st_mode);
  f.Put<uint32_t>(20, static_cast<uint32_t>(st.st_nlink));
  f.Put<uint32_t>(24, st.st_uid);
  f.Put<uint32_t>(28, st.st_gid);
  f.Put<uint64_t>(32, NewEncodeDev(st.st_rdev));
  f.Put<int64_t>(44, st.st_size);
  f.Put<uint32_t>(52, static_cast<uint32_t>(st.st_blksize));
  f.Put<uint64_t>(56, st.st_blocks);
  f.Put<uint32_t>(64, static_cast<uint32_t>(st.st_atim.tv_sec));
  f.Put<uint32_t>(68, static_cast<uint32_t>(st.st_atim.tv_nsec));
  f.Put<uint32_t>(72, static_cast<uint32_t>(st.st_mtim.tv_sec));
  f.Put<uint32_t>(76, static_cast<uint32_t>(st.st_mtim.tv_nsec));
  f.Put<uint32_t>(80, static_cast<uint32_t>(st.st_ctim.tv_sec));
  f.Put<uint32_t>(84, static_cast<uint32_t>(st.st_ctim.tv_nsec));
  f.Put<uint64_t>(88, st.st_ino);
  return {f.Take(), 0};
}

// 16-bit ids as the kernel narrows them (high2lowuid: the overflow id,
// 65534, for anything that does not fit).
uint16_t Narrow16(uint32_t id) {
  return id > 0xffff ? 65534 : static_cast<uint16_t>(id);
}

// struct compat_stat, 64 bytes (cp_compat_stat): its device numbers are
// 32-bit (new_encode_dev, no overflow); EOVERFLOW for an inode, link count
// or size that does not fit.
StatBuffer CompatStat(const struct stat& st) {
  if (st.st_ino > UINT32_MAX || st.st_nlink > UINT16_MAX ||
      st.st_size > INT32_MAX) {
    return {"", EOVERFLOW};
  }
  Fields f(64);
  f.Put<uint32_t>(0, static_cast<uint32_t>(NewEncodeDev(st.st_dev)));
  f.Put<uint32_t>(4, static_cast<uint32_t>(st.st_ino));
  f.Put<uint16_t>(8, static_cast<uint16_t>(st.st_mode));
  f.Put<uint16_t>(10, static_cast<uint16_t>(st.st_nlink));
  f.Put<uint16_t>(12, Narrow16(st.st_uid));
  f.Put<uint16_t>(14, Narrow16(st.st_gid));
  f.Put<uint32_t>(16, static_cast<uint32_t>(NewEncodeDev(st.st_rdev)));
  f.Put<uint32_t>(20, static_cast<uint32_t>(st.st_size));
  f.Put<uint32_t>(24, static_cast<uint32_t>(st.st_blksize));
  f.Put<uint32_t>(28, static_cast<uint32_t>(st.st_blocks));
  f.Put<uint32_t>(32, static_cast<uint32_t>(st.st_atim.tv_sec));
  f.Put<uint32_t>(36, static_cast<uint32_t>(st.st_atim.tv_nsec));
  f.Put<uint32_t>(40, static_cast<uint32_t>(st.st_mtim.tv_sec));
  f.Put<uint32_t>(44, static_cast<uint32_t>(st.st_mtim.tv_nsec));
  f.Put<uint32_t>(48, static_cast<uint32_t>(st.st_ctim.tv_sec));
  f.Put<uint32_t>(52, static_cast<uint32_t>(st.st_ctim.tv_nsec));
  return {f.Take(), 0};
}

}  // namespace

StatBuffer StatBufferFor(AbiId abi, absl::string_view call,
                         const struct stat& st) {
  if (abi == HostAbis()[0]) {
    return {std::string(reinterpret_cast<const char*>(&st), sizeof(st)), 0};
  }
  if (abi == AbiId::kI386) {
    if (call == "stat64" || call == "lstat64" || call == "fstatat64")
      return Stat64(st);
    if (call == "stat" || call == "lstat") return CompatStat(st);
  }
  return {"", ENOSYS};
}

}  // namespace sysgate
