"""A VMM's own memory: what it holds resident that is not the guest's RAM."""


def overhead_kib(pid, guest_mib):
    """PID's resident KiB less the guest RAM mapping's (any mapping at least
    GUEST_MIB long): kernel and initrd pages left in the VMM count, guest
    pages do not. None when the process has gone."""
    total = guest = size = 0
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if line.startswith("Size:"):
                    size = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
                    total += rss
                    if size >= guest_mib * 1024:
                        guest += rss
    except OSError:
        return None
    return total - guest if total else None
