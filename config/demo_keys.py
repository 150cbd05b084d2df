"""Create the demo's secrets in a folder (var/) once, without importing Django settings.

Run by `make run`. The files are for a demo on one machine only: production keeps its secrets in
the environment or in files mounted by the deployment (see docs/operations.md and docs/privacy.md).
"""

import base64
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


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def main(folder: str) -> None:
    root = Path(folder)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write_once(root / "secret_key", secrets.token_urlsafe(50) + "\n", "a SECRET_KEY")
    _write_once(root / "keks", f"demo-1:{_key()}\n", "a key-encryption key (KEK)")
    _write_once(root / "index.key", _key() + "\n", "a blind-index key")
    _write_once(root / "audit.key", _key() + "\n", "an access-log key")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "var")
