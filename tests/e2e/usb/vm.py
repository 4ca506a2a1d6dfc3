"""A QEMU guest for USB end-to-end tests: Debian's own kernel, a busybox initramfs, an xHCI
controller, QMP for hot-plugging devices and a second serial port for asking the guest what its
kernel made of them.

Python standard library only. Typical use (usb_enforcement_test.py is the full example):

    with Vm(workdir, initrd) as vm:
        vm.boot()
        stick = vm.plug_storage("STICK-1")
        facts = vm.wait_for("present", "STICK-1", seconds=5)
        vm.unplug(stick)

QEMU connects to two Unix sockets this process listens on (QMP and the guest's /dev/ttyS1), so
no greeting or boot message can be lost to a connect race. The kernel console (ttyS0) goes to
console.log in the work directory.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import lzma
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
QEMU = "qemu-system-x86_64"


class HarnessError(Exception):
    """The harness itself failed: QEMU died, the guest did not answer, a QMP command failed."""


class Skip(Exception):
    """This machine cannot run the VM at all (no QEMU, no kernel); the test must say so loudly."""


# ---- Host checks -------------------------------------------------------------------------------


def find_kernel() -> tuple[str, Path]:
    """The newest installed kernel that has both its image and its modules."""
    candidates = []
    for moddir in Path("/lib/modules").glob("*"):
        image = Path("/boot") / f"vmlinuz-{moddir.name}"
        if image.is_file() and (moddir / "modules.dep").is_file() and os.access(image, os.R_OK):
            candidates.append((moddir.name, image))
    if not candidates:
        raise Skip("no kernel with /boot/vmlinuz-KVER and /lib/modules/KVER "
                   "(apt-get install linux-image-amd64)")
    def version_key(candidate):
        return [(0, int(p), "") if p.isdigit() else (1, 0, p)
                for p in re.split(r"[.-]", candidate[0])]
    return max(candidates, key=version_key)


def check_host() -> tuple[str, Path]:
    """Raise Skip unless QEMU, a kernel and busybox-static are here; return the kernel."""
    if shutil.which(QEMU) is None:
        raise Skip(f"{QEMU} not found (apt-get install qemu-system-x86)")
    probe = subprocess.run([QEMU, "-accel", "help"], capture_output=True, text=True)
    if probe.returncode != 0 or "tcg" not in probe.stdout:
        raise Skip(f"{QEMU} does not run here: {probe.stderr.strip() or probe.stdout.strip()}")
    if not Path("/bin/busybox").is_file():
        raise Skip("/bin/busybox not found (apt-get install busybox-static)")
    return find_kernel()


def choose_accel() -> str:
    """KVM when it is real, TCG otherwise. MAMORI_E2E_ACCEL=kvm|tcg overrides.

    A host whose KVM is kvm_pvm (PVM: KVM without hardware virtualisation, for running inside
    another VM) offers /dev/kvm and QMP reports KVM enabled, but a guest kernel under it crawls
    and then dies with emulation failures (FEASIBILITY.md), so it counts as no KVM.
    """
    forced = os.environ.get("MAMORI_E2E_ACCEL")
    if forced:
        return forced
    if Path("/sys/module/kvm_pvm").exists():
        return "tcg"
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "kvm"
    return "tcg"


def extract_vmlinux(bzimage: Path, out: Path) -> Path | None:
    """The uncompressed ELF kernel inside a bzImage, or None if this one cannot be unpacked.

    QEMU boots an ELF vmlinux through its PVH entry point (Debian sets CONFIG_PVH), skipping the
    real-mode setup and the in-guest decompression: under TCG that halves the boot (~6 s
    instead of ~12 s) for ~1.3 s of xz decompression on the host.
    """
    data = bzimage.read_bytes()
    if data[0x202:0x206] != b"HdrS":
        return None
    setup_sects = data[0x1F1] or 4
    payload_offset, payload_length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + payload_offset
    payload = data[start:start + payload_length]
    if not payload.startswith(b"\xfd7zXZ\x00"):
        return None   # gzip/zstd kernels: boot the bzImage rather than carry more decoders
    try:
        vmlinux = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    except lzma.LZMAError:
        return None
    if not vmlinux.startswith(b"\x7fELF"):
        return None
    out.write_bytes(vmlinux)
    return out


def build_initramfs(out: Path, kver: str, files: list[tuple[str, str]] = (),
                    config: Path | None = None, overlays: list[Path] = (),
                    strip: bool = True) -> Path:
    """Run build_initramfs.sh; files are (host path, guest path) pairs."""
    cmd = ["bash", str(HERE / "build_initramfs.sh"), "-o", str(out), "-k", kver]
    for src, dest in files:
        cmd += ["--file", f"{src}:{dest}"]
    if config is not None:
        cmd += ["--config", str(config)]
    for o in overlays:
        cmd += ["--overlay", str(o)]
    if strip:
        cmd.append("--strip")
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise HarnessError(f"build_initramfs failed:\n{result.stderr}")
    return out


# ---- QMP ---------------------------------------------------------------------------------------


class LineSocket:
    """Newline-delimited reads with deadlines over a connected socket."""

    def __init__(self, sock: socket.socket, name: str, alive=lambda: True):
        self.sock, self.name, self.alive = sock, name, alive
        self.buffer = b""

    def send_line(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\n")

    def read_line(self, deadline: float) -> str:
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: no line in time")
            ready, _, _ = select.select([self.sock], [], [], min(remaining, 0.5))
            if not ready:
                if not self.alive():
                    raise HarnessError(f"{self.name}: QEMU exited")
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                raise HarnessError(f"{self.name}: connection closed by QEMU")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode(errors="replace").rstrip("\r")


class Qmp:
    """A QMP client: one command at a time; events are kept until someone waits for them."""

    def __init__(self, channel: LineSocket):
        self.channel = channel
        self.events: list[dict] = []
        self.ids = itertools.count(1)
        greeting = json.loads(channel.read_line(time.monotonic() + 10))
        if "QMP" not in greeting:
            raise HarnessError(f"QMP: unexpected greeting {greeting}")
        self.execute("qmp_capabilities")

    def execute(self, command: str, timeout: float = 10, **arguments):
        request_id = next(self.ids)
        message = {"execute": command, "id": request_id}
        if arguments:
            message["arguments"] = arguments
        self.channel.send_line(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.channel.read_line(deadline))
            if "event" in reply:
                self.events.append(reply)
            elif reply.get("id") == request_id:
                if "error" in reply:
                    raise HarnessError(f"QMP {command} {arguments}: {reply['error']}")
                return reply.get("return")

    def wait_event(self, name: str, timeout: float = 10, **data):
        """The first event NAME whose data contains DATA, consumed."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["event"] == name and all(
                        event.get("data", {}).get(k) == v for k, v in data.items()):
                    self.events.remove(event)
                    return event
            try:
                reply = json.loads(self.channel.read_line(deadline))
            except TimeoutError:
                raise HarnessError(f"QMP: no {name} {data} within {timeout} s") from None
            if "event" in reply:
                self.events.append(reply)


# ---- Guest facts -------------------------------------------------------------------------------


def parse_words(text: str) -> dict[str, str]:
    """'key=value key2=value2' with percent-encoded values, as guest_init.sh writes them."""
    fields = {}
    for word in text.split():
        key, _, value = word.partition("=")
        fields[key] = urllib.parse.unquote(value)
    return fields


@dataclasses.dataclass
class Block:
    name: str
    node: bool
    read_only: bool
    sectors: int


@dataclasses.dataclass
class UsbFacts:
    """What the guest kernel shows for one USB device (guest_init.sh: describe)."""
    serial: str
    present: bool
    dev: str = ""
    authorized: str = ""          # "1", "0", or "" when absent
    configured: str = ""          # bConfigurationValue; empty while unauthorised
    interface_classes: list[str] = dataclasses.field(default_factory=list)
    drivers: list[str] = dataclasses.field(default_factory=list)
    blocks: list[Block] = dataclasses.field(default_factory=list)
    inputs: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def parse(cls, lines: list[str]) -> "UsbFacts":
        facts = None
        for line in lines:
            kind, _, rest = line.partition(" ")
            f = parse_words(rest)
            if kind == "usb":
                facts = cls(serial=f.get("serial", ""), present=f.get("present") == "1",
                            dev=f.get("dev", ""), authorized=f.get("authorized", ""),
                            configured=f.get("configured", ""),
                            interface_classes=[c for c in f.get("ifaces", "").split(",") if c],
                            drivers=[d for d in f.get("drivers", "").split(",") if d])
            elif kind == "block" and facts is not None:
                facts.blocks.append(Block(f["name"], f.get("node") == "1", f.get("ro") == "1",
                                          int(f.get("size") or 0)))
            elif kind == "input" and facts is not None and f.get("node") == "1":
                facts.inputs.append(f["name"])
        if facts is None:
            raise HarnessError(f"no usb line in guest reply: {lines}")
        return facts

    def summary(self) -> str:
        if not self.present:
            return "absent"
        blocks = ",".join(f"{b.name}{'(ro)' if b.read_only else ''}" for b in self.blocks)
        return (f"dev={self.dev} authorized={self.authorized} "
                f"ifaces={','.join(self.interface_classes) or '-'} "
                f"drivers={','.join(self.drivers) or '-'} blocks={blocks or '-'} "
                f"inputs={','.join(self.inputs) or '-'}")


@dataclasses.dataclass
class Reply:
    """One answer of guest_init.sh: its data lines (without "SEQ = ") and OK or ERR."""
    ok: bool
    lines: list[str]
    error: str = ""

    def fields(self, index: int = 0) -> dict[str, str]:
        """The key=value words of data line INDEX, after its leading kind word."""
        return parse_words(self.lines[index].partition(" ")[2])


@dataclasses.dataclass
class Device:
    """A device this harness plugged through QMP."""
    id: str
    driver: str
    serial: str
    node: str | None = None       # blockdev node-name, for storage
    image: Path | None = None


# ---- The VM ------------------------------------------------------------------------------------


class Vm:
    """One QEMU process. Everything it creates lives in workdir, which the caller owns."""

    def __init__(self, workdir: Path, initrd: Path, kernel: Path | None = None,
                 memory_mib: int = 512, smp: int = 1, accel: str | None = None,
                 append: str = "", extra_args: list[str] = ()):
        self.workdir = Path(workdir)
        self.initrd = Path(initrd)
        self.kernel = Path(kernel) if kernel else None   # None: the installed one, at boot()
        self.memory_mib, self.smp = memory_mib, smp
        self.accel = accel or choose_accel()
        self.append, self.extra_args = append, list(extra_args)
        self.console_log = self.workdir / "console.log"
        self.proc: subprocess.Popen | None = None
        self.qmp: Qmp | None = None
        self.ctl: LineSocket | None = None
        self.seq = itertools.count(1)
        self.counter = itertools.count(1)
        self.boot_seconds = 0.0
        self.hello: dict[str, str] = {}

    # -- life cycle --

    def __enter__(self) -> "Vm":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def command_line(self, qmp_path: Path, ctl_path: Path) -> list[str]:
        accel = ["-accel", "kvm", "-cpu", "host"] if self.accel == "kvm" else \
                ["-accel", "tcg", "-cpu", "max"]
        append = " ".join(filter(None, [
            # panic=-1 with -no-reboot: a dead /init ends QEMU at once instead of a timeout.
            # A larger log buffer keeps every usb-storage probe of a long run for
            # storage-probes.
            "console=ttyS0 quiet panic=-1 log_buf_len=4M",
            self.append]))
        return [QEMU, *accel, "-m", str(self.memory_mib), "-smp", str(self.smp),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", str(self.kernel), "-initrd", str(self.initrd), "-append", append,
                # p2/p3: enough root ports that QEMU never inserts a hub of its own.
                "-device", "qemu-xhci,id=xhci,p2=8,p3=8",
                "-chardev", f"socket,id=qmp,path={qmp_path}",
                "-mon", "chardev=qmp,mode=control",
                "-chardev", f"socket,id=ctl,path={ctl_path}",
                "-serial", f"file:{self.console_log}", "-serial", "chardev:ctl",
                *self.extra_args]

    def boot(self, timeout: float = 120) -> float:
        """Start QEMU and wait for the guest's hello; returns the seconds from starting QEMU to
        the hello (unpacking the kernel beforehand not included)."""
        if self.kernel is None:
            bzimage = find_kernel()[1]
            self.kernel = extract_vmlinux(bzimage, self.workdir / "vmlinux") or bzimage
        started = time.monotonic()
        listeners = {}
        for name in ("qmp", "ctl"):
            path = self.workdir / f"{name}.sock"
            path.unlink(missing_ok=True)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(str(path))
            s.listen(1)
            listeners[name] = (s, path)
        cmd = self.command_line(listeners["qmp"][1], listeners["ctl"][1])
        (self.workdir / "qemu.cmdline").write_text(" ".join(cmd) + "\n")
        with open(self.workdir / "qemu.out", "wb") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)
        try:
            qmp_sock = self._accept(listeners["qmp"][0], started + 15)
            ctl_sock = self._accept(listeners["ctl"][0], started + 15)
        finally:
            for s, _ in listeners.values():
                s.close()
        self.qmp = Qmp(LineSocket(qmp_sock, "QMP", self.alive))
        self.ctl = LineSocket(ctl_sock, "guest", self.alive)
        try:
            hello = self._read_reply(0, started + timeout)
        except (TimeoutError, HarnessError) as e:
            raise HarnessError(f"guest did not boot: {e}\n{self.console_tail()}") from None
        if not hello.ok:
            raise HarnessError(f"guest boot failed: {hello.error}\n{self.console_tail()}")
        self.hello = hello.fields()
        self.boot_seconds = time.monotonic() - started
        return self.boot_seconds

    def _accept(self, listener: socket.socket, deadline: float) -> socket.socket:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([listener], [], [], 0.2)
            if ready:
                conn, _ = listener.accept()
                return conn
            if not self.alive():
                break
        raise HarnessError(f"QEMU did not connect: {self.qemu_output()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        if self.proc is None:
            return
        if self.alive() and self.qmp is not None:
            try:
                self.qmp.execute("quit", timeout=5)
            except (HarnessError, TimeoutError, OSError):
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for channel in (self.qmp.channel if self.qmp else None, self.ctl):
            if channel is not None:
                channel.sock.close()
        self.proc = None

    def qemu_output(self) -> str:
        path = self.workdir / "qemu.out"
        return path.read_text(errors="replace").strip() if path.exists() else ""

    def console_tail(self, lines: int = 40) -> str:
        if not self.console_log.exists():
            return "(no console output)"
        text = self.console_log.read_text(errors="replace").splitlines()
        return "\n".join(["--- guest console (tail) ---", *text[-lines:], "---"])

    # -- guest protocol --

    def _read_reply(self, seq: int, deadline: float) -> Reply:
        lines = []
        while True:
            line = self.ctl.read_line(deadline)
            number, _, rest = line.partition(" ")
            if number != str(seq):
                continue   # a late answer to a command that timed out earlier
            if rest.startswith("= "):
                lines.append(rest[2:])
            elif rest == "OK":
                return Reply(True, lines)
            elif rest.startswith("ERR"):
                return Reply(False, lines, rest[4:])

    def guest(self, *words: str, timeout: float = 30, check: bool = True) -> Reply:
        """Send one command to guest_init.sh and return its reply."""
        for w in words:
            if not w or any(c.isspace() for c in w):
                raise ValueError(f"guest command words cannot be empty or contain blanks: {w!r}")
        seq = next(self.seq)
        self.ctl.send_line(" ".join([str(seq), *words]))
        try:
            reply = self._read_reply(seq, time.monotonic() + timeout)
        except TimeoutError:
            raise HarnessError(f"guest: no answer to {' '.join(words)!r} in {timeout} s\n"
                               f"{self.console_tail()}") from None
        if check and not reply.ok:
            raise HarnessError(f"guest: {' '.join(words)}: {reply.error}")
        return reply

    def describe(self, serial: str) -> UsbFacts:
        return UsbFacts.parse(self.guest("describe", serial).lines)

    def wait_for(self, condition: str, serial: str, seconds: float) -> tuple[bool, float, UsbFacts]:
        """Poll in the guest until CONDITION holds for the device: present, absent, authorized,
        deauthorized (authorized=0 and no block device), block (a /dev/sdX node), readonly
        (a /dev/sdX node with ro=1), input (a /dev/input/eventN node). Returns (met, seconds
        waited, facts at the end). Polling happens in the guest, every 50 ms, so a wait costs
        one round trip over the serial line however long it lasts."""
        reply = self.guest("wait", str(int(seconds * 1000)), condition, serial,
                           timeout=seconds + 30)
        head = reply.fields()
        return head["met"] == "1", int(head["ms"]) / 1000, UsbFacts.parse(reply.lines[1:])

    def wait_locked(self, seconds: float) -> tuple[bool, float]:
        """Wait until every root hub has authorized_default=0."""
        met, waited, _ = self.wait_for("locked", "-", seconds)
        return met, waited

    def root_hubs(self) -> dict[str, dict[str, str]]:
        """authorized_default and the rest of usb-devices, for the root hubs only."""
        hubs = {}
        reply = self.guest("usb-devices")
        for i in range(len(reply.lines)):
            f = reply.fields(i)
            if f["dev"].startswith("usb"):
                hubs[f["dev"]] = f
        return hubs

    def storage_probes(self) -> tuple[int, int]:
        """(usb-storage binds, SCSI disks attached) since boot, from the guest kernel log."""
        f = self.guest("storage-probes").fields()
        return int(f["usb_storage"]), int(f["scsi_disk"])

    def io(self, serial: str, marker: str) -> dict[str, str]:
        """Read sector 0 of the device's disk, then write MARKER there with fsync."""
        return self.guest("io", serial, marker).fields()

    # -- the agent in the guest --

    def agent_start(self, argv: list[str]) -> int:
        """Start the agent in the background in the guest; output goes to its log."""
        return int(self.guest("agent-start", *argv).fields()["pid"])

    def agent_kill(self, signal: str = "KILL") -> dict[str, str]:
        """pid, killed (0: it had exited already), rc."""
        return self.guest("agent-kill", signal).fields()

    def agent_status(self) -> dict[str, str]:
        """pid, running (1/0), rc once it has exited."""
        return self.guest("agent-status").fields()

    def agent_log(self, lines: int | None = None) -> list[str]:
        args = [str(lines)] if lines else []
        return self.guest("agent-log", *args).lines

    def run(self, argv: list[str], timeout: int = 30) -> tuple[int, list[str]]:
        """Run a program in the guest in the foreground; (exit code, output lines)."""
        reply = self.guest("run", str(timeout), *argv, timeout=timeout + 30)
        rc = int(reply.lines[-1].removeprefix("rc="))
        return rc, reply.lines[:-1]

    # -- devices --

    def _new_id(self, serial: str) -> str:
        return f"d{next(self.counter)}-" + re.sub(r"[^A-Za-z0-9]", "", serial)[:20]

    def _new_image(self, dev_id: str, size_mib: int) -> Path:
        """A sparse raw image: 8 MiB of zeroes costs no disk and makes sd_mod happy."""
        image = self.workdir / f"{dev_id}.img"
        with open(image, "wb") as f:
            f.truncate(size_mib * 1024 * 1024)
        return image

    def plug_storage(self, serial: str, size_mib: int = 8, removable: bool = True,
                     **props) -> Device:
        """Hot-plug a usb-storage stick backed by a fresh sparse raw image in workdir. PROPS go
        to device_add as they are (port="8.1": behind the hub on root port 8)."""
        dev_id = self._new_id(serial)
        image = self._new_image(dev_id, size_mib)
        node = f"img-{dev_id}"
        self.qmp.execute("blockdev-add", driver="raw", **{"node-name": node},
                         file={"driver": "file", "filename": str(image)})
        try:
            self.qmp.execute("device_add", driver="usb-storage", id=dev_id, bus="xhci.0",
                             drive=node, serial=serial, removable=removable, **props)
        except HarnessError:
            self.qmp.execute("blockdev-del", **{"node-name": node})
            raise
        return Device(dev_id, "usb-storage", serial, node, image)

    def coldplug_storage(self, serial: str, size_mib: int = 8) -> Device:
        """A stick on QEMU's command line: present when the guest's xHCI driver first loads,
        like a stick left in the PC over a reboot. Call before boot(); unplug() works later."""
        if self.proc is not None:
            raise HarnessError("coldplug_storage must be called before boot()")
        dev_id = self._new_id(serial)
        image = self._new_image(dev_id, size_mib)
        node = f"img-{dev_id}"
        self.extra_args += [
            "-blockdev", f"driver=raw,node-name={node},file.driver=file,file.filename={image}",
            "-device", f"usb-storage,id={dev_id},bus=xhci.0,drive={node},serial={serial},"
                       "removable=on"]
        return Device(dev_id, "usb-storage", serial, node, image)

    def plug(self, driver: str, serial: str, **props) -> Device:
        """Hot-plug any QEMU USB device without a backing drive: usb-kbd, usb-mouse, usb-ccid,
        usb-audio, usb-mtp (needs rootdir=...), ..."""
        dev_id = self._new_id(serial)
        self.qmp.execute("device_add", driver=driver, id=dev_id, bus="xhci.0", serial=serial,
                         **props)
        return Device(dev_id, driver, serial)

    def plug_keyboard(self, serial: str) -> Device:
        return self.plug("usb-kbd", serial)

    def unplug(self, device: Device) -> None:
        """Unplug and wait until QEMU has let go of the device, then free its image node."""
        self.qmp.execute("device_del", id=device.id)
        self.qmp.wait_event("DEVICE_DELETED", device=device.id)
        if device.node:
            self.qmp.execute("blockdev-del", **{"node-name": device.node})


# ---- Reporting ---------------------------------------------------------------------------------


class Report:
    """PASS/FAIL lines as checks happen, a summary at the end."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.results: list[tuple[str, bool]] = []
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def note(self, message: str) -> None:
        print(f"[{self.elapsed():6.1f}s] {message}", file=self.out, flush=True)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.results.append((name, ok))
        verdict = "PASS" if ok else "FAIL"
        print(f"[{self.elapsed():6.1f}s] {verdict} {name}" + (f" — {detail}" if detail else ""),
              file=self.out, flush=True)
        return ok

    def failed(self) -> list[str]:
        return [name for name, ok in self.results if not ok]

    def summary(self, title: str) -> int:
        passed = sum(ok for _, ok in self.results)
        failed = len(self.results) - passed
        for name in self.failed():
            print(f"  failed: {name}", file=self.out)
        # The last line alone in the "N passed, N failed" shape that CI runners recognise.
        print(f"{title}: wall time {self.elapsed():.1f} s", file=self.out)
        print(f"{title}: {passed} passed, {failed} failed", file=self.out, flush=True)
        return 0 if failed == 0 and passed > 0 else 1
