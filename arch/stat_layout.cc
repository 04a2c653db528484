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

namespace {

// arch/x86/include/asm/compat.h.
struct CompatStatfs {
  int32_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  int32_t f_namelen, f_frsize, f_flags;
  int32_t f_spare[4];
};
static_assert(sizeof(CompatStatfs) == 64, "struct compat_statfs");

struct __attribute__((packed, aligned(4))) CompatStatfs64 {
  uint32_t f_type, f_bsize;
  uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  uint32_t f_namelen, f_frsize, f_flags;
  uint32_t f_spare[4];
};
static_assert(sizeof(CompatStatfs64) == 84, "struct compat_statfs64");

template <typename T>
StatBuffer BytesOf(const T& value) {
  return {std::string(reinterpret_cast<const char*>(&value), sizeof(value)), 0};
}

StatBuffer CompatStatfsOf(const struct statfs& fs) {
  // put_compat_statfs: every count must fit (f_files and f_ffree may also
  // be all ones, "unknown", which is passed on as 32-bit all ones).
  auto fits = [](uint64_t v) { return v <= 0xffffffffULL; };
  auto count = [](uint64_t v) {
    return v == ~0ULL ? -1 : static_cast<int32_t>(v);
  };
  if (!fits(fs.f_blocks) || !fits(fs.f_bfree) || !fits(fs.f_bavail) ||
      !fits(fs.f_bsize) || !fits(fs.f_frsize) ||
      (!fits(fs.f_files) && fs.f_files != ~0ULL) ||
      (!fits(fs.f_ffree) && fs.f_ffree != ~0ULL)) {
    return {"", EOVERFLOW};
  }
  CompatStatfs out = {};
  out.f_type = static_cast<int32_t>(fs.f_type);
  out.f_bsize = static_cast<int32_t>(fs.f_bsize);
  out.f_blocks = static_cast<int32_t>(fs.f_blocks);
  out.f_bfree = static_cast<int32_t>(fs.f_bfree);
  out.f_bavail = static_cast<int32_t>(fs.f_bavail);
  out.f_files = count(fs.f_files);
  out.f_ffree = count(fs.f_ffree);
  memcpy(out.f_fsid, &fs.f_fsid, sizeof(out.f_fsid));
  out.f_namelen = static_cast<int32_t>(fs.f_namelen);
  out.f_frsize = static_cast<int32_t>(fs.f_frsize);
  out.f_flags = static_cast<int32_t>(fs.f_flags);
  return BytesOf(out);
}

StatBuffer CompatStatfs64Of(const struct statfs& fs) {
  CompatStatfs64 out = {};
  out.f_type = static_cast<uint32_t>(fs.f_type);
  out.f_bsize = static_cast<uint32_t>(fs.f_bsize);
  out.f_blocks = fs.f_blocks;
  out.f_bfree = fs.f_bfree;
  out.f_bavail = fs.f_bavail;
  out.f_files = fs.f_files;
  out.f_ffree = fs.f_ffree;
  memcpy(out.f_fsid, &fs.f_fsid, sizeof(out.f_fsid));
  out.f_namelen = static_cast<uint32_t>(fs.f_namelen);
  out.f_frsize = static_cast<uint32_t>(fs.f_frsize);
  out.f_flags = static_cast<uint32_t>(fs.f_flags);
  return BytesOf(out);
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

StatBuffer StatfsBufferFor(AbiId abi, absl::string_view call,
                           const struct statfs& fs, uint64_t size_arg) {
  if (abi == HostAbis()[0]) return BytesOf(fs);
  if (abi == AbiId::kI386) {
    if (call == "statfs") return CompatStatfsOf(fs);
    if (call == "statfs64") {
      if (size_arg != sizeof(CompatStatfs64)) return {"", EINVAL};
      return CompatStatfs64Of(fs);
    }
  }
  return {"", ENOSYS};
}

}  // namespace sysgate
