"""The small local image the container tests run: busybox, built with ``import``.

Shared by the runtime's and the command line's container tests. There is no
registry to pull from, so the image is a tarball: a static busybox (Debian:
``busybox-static``) with its applets linked in ``/bin``, and ``/lib``, ``/lib64``
pointing into ``/usr`` so the host's ``/usr`` (its Python) can be mounted read-only
when a test needs one.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tau_cli.runtime.container import default_ulimits


@dataclass(frozen=True)
class BuiltImage:
    tag: str
    reason: str | None = None
    """Why the image cannot be used here, or ``None``."""


def _image_tarball(busybox: Path) -> bytes:
    """A root filesystem holding busybox, its applets and the usual empty folders."""
    applets = subprocess.run(
        [str(busybox), "--list"], capture_output=True, check=True, text=True
    ).stdout.split()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for folder in ("bin", "tmp", "etc", "root", "proc", "dev", "sys", "run", "usr"):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if folder == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(busybox), arcname="bin/busybox")
        for applet in applets:
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type, link.linkname = tarfile.SYMTYPE, "busybox"
                tar.addfile(link)
        for name, target in (("lib", "usr/lib"), ("lib64", "usr/lib64")):
            link = tarfile.TarInfo(name)
            link.type, link.linkname = tarfile.SYMTYPE, target
            tar.addfile(link)
    return buffer.getvalue()


def build_test_image(engine: str) -> BuiltImage:
    """Import the image unless this engine already has it (its tag names its content)."""
    found = shutil.which("busybox")
    if found is None:
        return BuiltImage("", "the container tests need busybox (apt install busybox-static)")
    tarball = _image_tarball(Path(found).resolve())
    tag = f"localhost/tau-test-busybox:{hashlib.sha256(tarball).hexdigest()[:12]}"
    if subprocess.run([engine, "image", "inspect", tag], capture_output=True).returncode != 0:
        imported = subprocess.run(
            [engine, "import", "-", tag], input=tarball, capture_output=True, check=False
        )
        if imported.returncode != 0:
            return BuiltImage(tag, f"cannot import the test image: {imported.stderr.decode()}")
    limits = [arg for limit in default_ulimits() for arg in ("--ulimit", limit)]
    probe = subprocess.run(
        [engine, "run", "--rm", "--network", "none", *limits, tag, "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        said = probe.stderr.decode().strip()
        return BuiltImage(tag, f"{engine} cannot run the test image (is busybox static?): {said}")
    return BuiltImage(tag)
