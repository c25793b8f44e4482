"""QEMU microvm (or, for PCI devices, pc) as the benches run it: our kernel and initrd, a
workload on the kernel command line (as capsule passes it), output on the
serial port, init's exit status through isa-debug-exit."""
import atexit
import os
import shutil
import tempfile


def local_binary(path):
    """A copy of PATH on a local tmpfs, removed at exit. In the emulated host the
    project directory is a 9p mount without caching, so every page of capsule's
    binary (its kernel and initrd among them) would be read over 9p on each
    start, hundreds of milliseconds that a real host never pays; QEMU's binary
    comes from the cached root mount."""
    fd, copy = tempfile.mkstemp(prefix="capsule-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
        shutil.copyfileobj(src, out)
    os.chmod(copy, 0o755)
    atexit.register(os.unlink, copy)
    return copy


def workload_cmdline(script, extra="", pci=False):
    """The kernel command line running `sh -c SCRIPT`; EXTRA (words ending in a
    space) goes before the workload. PCI: the machine has a PCI bus to probe."""
    argv = ",".join(a.encode().hex() for a in ("sh", "-c", script))
    return ("console=ttyS0 capsule.tty=1 reboot=k panic=-1 no_timer_check tsc=reliable "
            f"{'' if pci else 'pci=off '}quiet loglevel=1 {extra}capsule.argv={argv}")


def qemu_argv(kernel, initrd, cmdline, devices, vcpus=1, memory_mib=256,
              machine="microvm,acpi=off"):
    """qemu-system-x86_64's argv: MACHINE (microvm unless told) under KVM with
    DEVICES (argv words)."""
    return ["qemu-system-x86_64", "-M", machine, "-enable-kvm", "-cpu", "host",
            "-m", str(memory_mib), "-smp", str(vcpus), "-nodefaults", "-no-user-config",
            "-nographic", "-no-reboot", "-serial", "stdio", "-kernel", kernel, "-initrd", initrd,
            "-append", cmdline, *devices, "-device", "isa-debug-exit,iobase=0x501,iosize=1"]


def marked_boot_argv(kernel, initrd, cmdline, memory_mib, fifo):
    """QEMU microvm booting KERNEL, no devices but the ports init writes: its
    boot mark (port 0x502, to the file or FIFO named FIFO) and its exit status."""
    return ["qemu-system-x86_64", "-M", "microvm,acpi=off", "-enable-kvm", "-cpu", "host",
            "-m", str(memory_mib), "-smp", "1", "-nodefaults", "-no-user-config",
            "-nographic", "-no-reboot", "-serial", "null",
            "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
            "-chardev", f"file,id=mark,path={fifo}",
            "-device", "isa-debugcon,iobase=0x502,chardev=mark",
            "-device", "isa-debug-exit,iobase=0x501,iosize=1"]
