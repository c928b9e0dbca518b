"""The offline bundle: built here from PyPI, installed into a fresh venv with the network unused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.slow


@pytest.mark.skipif(sys.platform != "linux", reason="builds and installs the Linux bundle (a POSIX shell script)")
def test_the_linux_bundle_installs_with_no_network(tmp_path: Path) -> None:
    bundle = tmp_path / "yilan-offline"
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    subprocess.run([sys.executable, str(REPO / "scripts/make-offline-bundle"), "-o", str(bundle), "--platforms",
                    "linux_x86_64" if os.uname().machine == "x86_64" else "linux_aarch64", "--python", version],
                   check=True, capture_output=True)
    assert (bundle / "install.bat").read_bytes().count(b"--no-index") == 1
    offline = {**os.environ, "PIP_NO_INDEX": "1", "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "YILAN_VENV": str(tmp_path / "venv")}
    r = subprocess.run(["sh", str(bundle / "install.sh")], env=offline, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    yilan = tmp_path / "venv" / "bin" / "yilan"
    assert subprocess.run([str(yilan), "--version"], capture_output=True, text=True, check=True).stdout.startswith("yilan ")
    subprocess.run([str(yilan), "init", str(tmp_path / "ws"), "--example"], check=True, capture_output=True)
    status = subprocess.run([str(yilan), "--root", str(tmp_path / "ws"), "status", "--today", "2022-06-30"],
                            capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "200"})
    assert "办结率 47.6%" in status.stdout
