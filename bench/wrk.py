"""wrk, the load generator every HTTP benchmark here uses (Debian's package)."""

import os
import shutil
import subprocess


def ensure_wrk() -> None:
    """Installs wrk from Debian's archive when it is missing, as `make test` does for its
    own services; a benchmark then needs nothing installed by hand."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed, and only root may install it: apt-get install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
