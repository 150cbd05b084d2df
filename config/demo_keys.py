"""Create the demo's secrets in a folder (var/) once, without importing Django settings.

Run by `make run`. The files are for a demo on one machine only: production keeps its secrets in
the environment or in files mounted by the deployment (see docs/operations.md and docs/privacy.md).
"""

import os
import secrets
import sys
from pathlib import Path

WARNING = """
!!! DEMO ONLY: {what} generated in {path}.
!!! It protects synthetic demo data on this machine. Never use it for real people's data:
!!! production keys come from the environment (see docs/operations.md).
"""


def _write_once(path: Path, content: str, what: str) -> None:
    if path.exists():
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    print(WARNING.format(what=what, path=path), file=sys.stderr)


def main(folder: str) -> None:
    root = Path(folder)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write_once(root / "secret_key", secrets.token_urlsafe(50) + "\n", "a SECRET_KEY")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var")
