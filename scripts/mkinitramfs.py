#!/usr/bin/env python3
"""Write a newc (SVR4, no CRC) cpio initramfs for examples/linux_realm:
a static busybox, the applet links /init uses, /dev/console and an /init
script that mounts /proc, runs a few commands and powers off (busybox
'poweroff -f' -> reboot(2) -> PSCI SYSTEM_OFF). Every header field is fixed
(uid/gid 0, mtime 0, inode numbers in order), so the output is reproducible.

usage: mkinitramfs.py BUSYBOX OUT.cpio [--init SCRIPT]
(--init: use SCRIPT as /init instead of the built-in one; it may run
'/bin/busybox --install -s /bin' first for every applet)
"""
import os
import stat
import sys

# What /init prints (scripts/linux_initramfs_check.sh looks for these lines).
INIT = b"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "initramfs: /init (busybox sh) running as pid $$"
echo "initramfs: \\$ uname -a"
uname -a
echo "initramfs: \\$ head -n 8 /proc/cpuinfo"
head -n 8 /proc/cpuinfo
echo "initramfs: \\$ ls /"
ls /
echo "initramfs: sh arithmetic 6*7 = $((6 * 7))"
sleep 0.1 && echo "initramfs: slept 0.1 s"
echo "initramfs: powering off"
poweroff -f
"""

APPLETS = ["sh", "mount", "uname", "cat", "head", "ls", "echo", "sleep", "poweroff"]


class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        nm = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(nm), 0]
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08x" % f for f in fields) + nm
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def directory(self, name):
        self.entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, perm):
        self.entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, perm):
        self.entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def finish(self):
        self.ino = 0
        self.entry("TRAILER!!!", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def main():
    init = INIT
    if len(sys.argv) == 5 and sys.argv[3] == "--init":
        with open(sys.argv[4], "rb") as f:
            init = f.read()
    elif len(sys.argv) != 3:
        sys.exit("usage: mkinitramfs.py BUSYBOX OUT.cpio [--init SCRIPT]")
    with open(sys.argv[1], "rb") as f:
        busybox = f.read()
    if busybox[:4] != b"\x7fELF" or busybox[18:20] != b"\xb7\x00":
        sys.exit("mkinitramfs: %s is not an arm64 ELF" % sys.argv[1])
    c = Cpio()
    for d in (".", "bin", "dev", "proc", "sys", "tmp"):
        c.directory(d)
    c.chardev("dev/console", 5, 1, 0o600)
    c.file("bin/busybox", busybox, 0o755)
    for a in APPLETS:
        c.symlink("bin/" + a, "busybox")
    c.file("init", init, 0o755)
    data = c.finish()
    with open(sys.argv[2] + ".part", "wb") as f:
        f.write(data)
    os.replace(sys.argv[2] + ".part", sys.argv[2])
    print("mkinitramfs: %s (%d bytes: busybox, %d applet links, /init)"
          % (sys.argv[2], len(data), len(APPLETS)))


if __name__ == "__main__":
    main()
