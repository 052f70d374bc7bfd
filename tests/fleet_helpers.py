"""Helpers for the bundle, serve and fleet tests: keys, policies, tampering, real processes."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

LIST_POOLS = {
    "action": "cognito-identity:ListIdentityPools",
    "resource": "*",
    "policies": [
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "cognito-identity:ListIdentityPools", "Resource": "*"}
            ],
        }
    ],
}
ADMIN_ROLE = "arn:aws:iam::111122223333:role/PoolAdmins"
READER_ROLE = "arn:aws:iam::111122223333:role/Readers"


def make_keypair(directory: Path, name: str = "signing") -> tuple[Path, Path]:
    """An RSA key pair made by openssl: (private PEM, public PEM)."""
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / f"{name}.pem", directory / f"{name}.pub.pem"
    subprocess.run(
        [
            "openssl",
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            str(private),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        ["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return private, public


def write_policies(directory: Path) -> Path:
    """A policies folder: two JSON/YAML policies, a boundary and a principals file."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pool-admin.json").write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AdminUsers",
                        "Effect": "Allow",
                        "Action": ["cognito-idp:Admin*"],
                        "Resource": "arn:aws:cognito-idp:us-east-1:111122223333:userpool/*",
                    }
                ],
            }
        )
    )
    # Unquoted Version: YAML reads it as a date, the build must keep it as text.
    (directory / "cognito-only.yaml").write_text(
        "Version: 2012-10-17\n"
        "Statement:\n"
        "  - Effect: Allow\n"
        '    Action: ["cognito-idp:*", "cognito-identity:*"]\n'
        '    Resource: "*"\n'
    )
    (directory / "list-pools.yml").write_text(
        "Statement:\n"
        "  Effect: Allow\n"
        "  Action: cognito-identity:ListIdentityPools\n"
        '  Resource: "*"\n'
    )
    (directory / "principals.yaml").write_text(
        f"{ADMIN_ROLE}:\n"
        "  policies: [pool-admin]\n"
        "  managed_policies: [AmazonCognitoReadOnly]\n"
        "  permissions_boundary: cognito-only\n"
        f"{READER_ROLE}:\n"
        "  policies: list-pools\n"
        "  managed_policies: [arn:aws:iam::aws:policy/AmazonCognitoReadOnly]\n"
    )
    return directory


def tamper(src: Path, dst: Path) -> Path:
    """A copy of a signed bundle whose data was changed after signing (signature kept)."""
    with tarfile.open(src, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else b"") for m in tar]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for member, body in members:
            if member.name.lstrip("/") == "data.json":
                data = json.loads(body)
                principals = data["cognito"].setdefault("store", {}).setdefault("principals", {})
                principals["arn:aws:iam::999999999999:role/Intruder"] = {
                    "policies": {"all": {"Statement": {"Effect": "Allow", "Action": "*"}}},
                    "managed_policies": [],
                }
                body = json.dumps(data).encode()
                member.size = len(body)
            tar.addfile(member, io.BytesIO(body))
    dst.write_bytes(out.getvalue())
    return dst


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def gone(pid: int | None, timeout: float = 5.0) -> bool:
    """True once the process has exited (a zombie counts as exited)."""
    if pid is None:
        return True

    def exited() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        return stat.exists() and ") Z " in stat.read_text()

    return wait_until(exited, timeout)


def listening_hosts(port: int) -> set[str]:
    """The local IPv4 addresses a TCP socket listens on for `port` (from /proc/net/tcp)."""
    hosts: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state = fields[1], fields[3]
                addr, port_hex = local.split(":")
                if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                    if len(addr) == 8:
                        hosts.add(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
                    else:
                        hosts.add(f"ipv6:{addr}")
    return hosts


@contextlib.contextmanager
def running(cmd: Sequence[str], **kwargs: object) -> Iterator[subprocess.Popen[str]]:
    """A child process, terminated (then killed) when the block ends, also on failure."""
    proc = subprocess.Popen(list(cmd), text=True, **kwargs)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `pycognito-opa ARGS` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pycognito_opa", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_json_error(stderr: str) -> dict:
    """The CLI's error: exactly one JSON line on stderr, no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return json.loads(lines[0])["error"]
