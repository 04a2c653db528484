#!/usr/bin/env python3
"""Prepares what tests/qemu/vm_exec boots: a Debian kernel, an initramfs and,
for arm64, a guest root file system. Everything comes from Debian's packages;
the results are cached (idempotent: a second run only checks).

    image.py ARCH CACHE_DIR     ARCH is x86_64 or arm64

Prints the image directory, which holds:
  vmlinuz      the kernel of Debian's linux-image-<arch> (bookworm: 6.1)
  initrd       busybox (static, guest arch), the 9p/virtio modules the
               kernel has as modules, and tests/qemu/init as /init
  root/        arm64 only: a Debian arm64 userland (debootstrap --foreign,
               packages unpacked, not configured: nothing here runs arm64
               code), with the shared libraries the cross-built tests need
  vmlinux      x86_64 only: that kernel decompressed, which QEMU boots
               through its PVH entry (see uncompressed_x86_kernel)
  kernel       the kernel release, e.g. 6.1.0-56-arm64

The x86-64 guest's root is the host's own / (shared read-only over 9p), so it
needs no root/: the tests run on exactly the binaries and libraries Bazel
built and linked on the host.
"""

import glob
import gzip
import lzma
import os
import shutil
import struct
import subprocess
import sys

DEB_ARCH = {"x86_64": "amd64", "arm64": "arm64"}

# The kernel modules the guest needs before it can mount its root: virtio
# PCI transport and 9p over virtio. Debian's 6.1 kernels build these as
# modules; whatever of them is built in is simply not found and skipped.
ROOT_MODULES = ["virtio_pci", "9pnet_virtio", "9p"]

# Shared libraries of sysgate and its tests (arm64 guest), beyond what a
# minbase system has; and addr2line for stack traces.
ARM64_PACKAGES = [
    "binutils",
    "busybox-static",
    "libabsl20220623",
    "libatomic1",
    "liblzma5",
    "libseccomp2",
    "libstdc++6",
    "libunwind8",
]
DEBIAN_MIRROR = "http://deb.debian.org/debian"
SUITE = "bookworm"


def run(*cmd, **kw):
    # stdout is this script's answer (the image directory): tools talk on
    # stderr.
    kw.setdefault("stdout", sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def log(msg):
    print("sysgate-qemu: " + msg, file=sys.stderr)


def kernel_package(deb_arch):
    """The versioned image package the linux-image-<arch> metapackage names."""
    meta = "linux-image-" + deb_arch
    if deb_arch != host_deb_arch():
        meta += ":" + deb_arch
    out = subprocess.run(["apt-cache", "depends", meta], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Depends: linux-image-"):
            return line.split()[1].split(":")[0]
    raise SystemExit("sysgate-qemu: no kernel image behind " + meta)


def host_deb_arch():
    return subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()


def fetch_kernel(deb_arch, cache):
    """Downloads and unpacks the kernel package; returns its unpacked dir."""
    package = kernel_package(deb_arch)
    unpacked = os.path.join(cache, package)
    if os.path.isdir(os.path.join(unpacked, "boot")):
        return unpacked
    log("downloading " + package)
    download = os.path.join(cache, "download")
    os.makedirs(download, exist_ok=True)
    spec = package if deb_arch == host_deb_arch() else package + ":" + deb_arch
    run("apt-get", "download", "-q", spec, cwd=download)
    debs = glob.glob(os.path.join(download, package + "_*.deb"))
    run("dpkg", "-x", debs[0], unpacked + ".tmp")
    os.rename(unpacked + ".tmp", unpacked)
    return unpacked


def module_depends(path):
    """A module's depends= from its .modinfo (no kmod needed)."""
    with open(path, "rb") as f:
        data = f.read()
    key = b"\0depends="
    at = data.find(key)
    if at < 0:
        return []
    value = data[at + len(key):data.index(b"\0", at + 1)].decode()
    return [m for m in value.split(",") if m]


def modules_in_load_order(kernel_dir):
    """ROOT_MODULES and their dependencies, each after what it needs."""
    by_name = {}
    for path in glob.glob(os.path.join(kernel_dir, "lib/modules/*/kernel/**/*.ko"),
                          recursive=True):
        by_name[os.path.basename(path)[:-3].replace("-", "_")] = path
    order = []

    def visit(name):
        name = name.replace("-", "_")
        if name in order or name not in by_name:
            return
        for dep in module_depends(by_name[name]):
            visit(dep)
        order.append(name)

    for name in ROOT_MODULES:
        visit(name)
    return [(name, by_name[name]) for name in order]


class Cpio:
    """The initramfs format the kernel unpacks: cpio "newc", gzipped."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _entry(self, name, mode, data=b"", target=None):
        body = target.encode() if target is not None else data
        fields = [self.ino, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0,
                  len(name) + 1, 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08X" % v for v in fields)
        self.out += name.encode() + b"\0"
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += body
        self.out += b"\0" * (-len(self.out) % 4)

    def dir(self, name):
        self._entry(name, 0o040755)

    def file(self, name, data, mode=0o644):
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target=target)

    def bytes(self):
        self._entry("TRAILER!!!", 0)
        return gzip.compress(bytes(self.out))


def build_initrd(arch, kernel_dir, busybox, out):
    here = os.path.dirname(os.path.abspath(__file__))
    image = Cpio()
    for d in ["bin", "dev", "proc", "sys", "guest", "newroot", "host", "modules"]:
        image.dir(d)
    with open(busybox, "rb") as f:
        image.file("bin/busybox", f.read(), 0o755)
    image.symlink("bin/sh", "busybox")
    order = []
    for name, path in modules_in_load_order(kernel_dir):
        with open(path, "rb") as f:
            image.file("modules/%s.ko" % name, f.read())
        order.append(name)
    image.file("modules/order", ("\n".join(order) + "\n").encode())
    with open(os.path.join(here, "init"), "rb") as f:
        image.file("init", f.read(), 0o755)
    with open(out + ".tmp", "wb") as f:
        f.write(image.bytes())
    os.rename(out + ".tmp", out)


# An ELF note of the "Xen" owner giving the kernel's 32-bit PVH entry point
# (XEN_ELFNOTE_PHYS32_ENTRY, include/xen/interface/elfnote.h); CONFIG_PVH
# kernels carry it, and QEMU boots such an ELF kernel directly.
XEN_ELFNOTE_PHYS32_ENTRY = 18


def has_pvh_entry(elf):
    """Whether an ELF64 little-endian image has a PHYS32_ENTRY note."""
    if elf[:5] != b"\x7fELF\x02" or elf[5] != 1:
        return False
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        at, end = p_offset, p_offset + p_filesz
        while at + 12 <= end:
            namesz, descsz, n_type = struct.unpack_from("<III", elf, at)
            name = elf[at + 12:at + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and n_type == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            at += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def uncompressed_x86_kernel(bzimage):
    """The vmlinux ELF inside an xz-compressed bzImage, if QEMU can boot it.

    Under TCG the guest's own xz decompressor takes 4 to 7 seconds of every
    x86-64 VM's boot (one VM per test target); QEMU loads a PVH kernel's
    ELF segments itself, so decompressing once here saves that each time.
    None when the kernel is not xz-compressed or has no PVH entry (then
    vm_exec boots the bzImage as it is).
    """
    with open(bzimage, "rb") as f:
        data = f.read()
    at = data.find(b"\xfd7zXZ\x00")
    if at < 0:
        return None
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
    except lzma.LZMAError:
        return None
    return elf if has_pvh_entry(elf) else None


def write_uncompressed_x86_kernel(bzimage, image, release):
    """image/vmlinux for this release, made once (kernel names the release)."""
    out = os.path.join(image, "vmlinux")
    stamp = os.path.join(image, "kernel")
    if (os.path.exists(out) and os.path.exists(stamp) and
            open(stamp).read() == release + "\n"):
        return
    if os.path.exists(out):
        os.remove(out)
    elf = uncompressed_x86_kernel(bzimage)
    if elf is None:
        log("no PVH entry in " + bzimage + ": the guest decompresses it")
        return
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(out + ".tmp", out)


def build_arm64_root(cache, root):
    """Debian arm64 minbase, unpacked on the host without running it."""
    stamp = os.path.join(root, ".sysgate-ready")
    wanted = " ".join(ARM64_PACKAGES) + "\n"
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    log("debootstrap arm64 root (first stage only) in " + root)
    shutil.rmtree(root, ignore_errors=True)
    run("debootstrap", "--arch=arm64", "--foreign", "--variant=minbase",
        "--include=" + ",".join(ARM64_PACKAGES), SUITE, root, DEBIAN_MIRROR,
        stdout=subprocess.DEVNULL)
    # The first stage unpacks only the required set; the rest waits for a
    # second stage that would run arm64 code. Unpacking is all we need.
    for deb in sorted(glob.glob(os.path.join(root, "var/cache/apt/archives/*.deb"))):
        run("dpkg", "-x", deb, root)
    etc = os.path.join(root, "etc")
    for name in ["passwd", "group"]:
        shutil.copy(os.path.join(root, "usr/share/base-passwd", name + ".master"),
                    os.path.join(etc, name))
    with open(stamp, "w") as f:
        f.write(wanted)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in DEB_ARCH:
        raise SystemExit("usage: image.py x86_64|arm64 CACHE_DIR")
    arch, cache = sys.argv[1], os.path.abspath(sys.argv[2])
    deb_arch = DEB_ARCH[arch]
    os.makedirs(cache, exist_ok=True)
    kernel_dir = fetch_kernel(deb_arch, cache)
    release = os.path.basename(glob.glob(os.path.join(kernel_dir, "lib/modules/*"))[0])
    image = os.path.join(cache, arch)
    os.makedirs(image, exist_ok=True)
    bzimage = glob.glob(os.path.join(kernel_dir, "boot/vmlinuz-*"))[0]
    shutil.copy(bzimage, os.path.join(image, "vmlinuz"))
    if arch == "x86_64":
        write_uncompressed_x86_kernel(bzimage, image, release)
    if arch == "arm64":
        root = os.path.join(image, "root")
        build_arm64_root(cache, root)
        busybox = os.path.join(root, "bin/busybox")
    else:
        busybox = "/bin/busybox"  # busybox-static: no libraries to carry
    build_initrd(arch, kernel_dir, busybox, os.path.join(image, "initrd"))
    with open(os.path.join(image, "kernel"), "w") as f:
        f.write(release + "\n")
    print(image)


if __name__ == "__main__":
    main()
