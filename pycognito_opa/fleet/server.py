"""A bundle server speaking OPA's bundle service protocol, for a folder of built bundles.

`GET /bundles/NAME` answers the bundle file `NAME` of the folder with an `ETag` (a hash of its
content). A request whose `If-None-Match` names the current ETag gets `304 Not Modified`; with
`Prefer: wait=N` (OPA's long polling, `long_polling_timeout_seconds`) the server holds such a
request until a new revision is published or N seconds pass, so sidecars see a new revision
within moments instead of at their next poll.

Publishing is atomic: a bundle is written to a hidden file in the folder and renamed over the
old one (`publish`, or `pycognito-opa bundle build --out DIR/NAME`). The server opens a file
once and sends what it reads from that one open file, so a sidecar gets either the old or the
new revision, never half of one.

Only regular bundle files directly inside the folder are served: a name of letters, digits and
`._-` ending in `.tar.gz`, not hidden, opened without following a symbolic link (O_NOFOLLOW) and
without waiting on a FIFO (O_NONBLOCK), and sent only if the open file is a regular file. A
symlink (to /etc/passwd, to /dev/zero), a FIFO, a device, a folder or a `private.pem` beside the
bundles gets 404. A file is streamed in chunks, never read whole into memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from ..errors import BundleServerError

BUNDLE_CONTENT_TYPE = "application/vnd.openpolicyagent.bundles"
PREFIX = "bundles"
MAX_WAIT_SECONDS = 300
POLL_INTERVAL = 0.05
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.tar\.gz$")
_WAIT = re.compile(r"(?:^|[;,\s])wait=(\d+)")
CHUNK = 64 * 1024
# Open a name in the folder: never through a symlink, never blocking on a FIFO.
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Snapshot:
    """One published revision of a bundle file: an open regular file, its size and ETag.

    The file is the one opened (a later rename does not change what it reads); close it.
    """

    name: str
    file: BinaryIO
    size: int
    etag: str

    def close(self) -> None:
        self.file.close()


def is_bundle_name(name: str) -> bool:
    """A name the server serves: letters, digits and `._-`, not hidden, ending in `.tar.gz`."""
    return bool(_NAME.match(name))


class BundleStore:
    """The bundle files of a folder (regular files directly inside it), with an ETag per file
    content."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._etags: dict[str, tuple[tuple[int, int, int, int], str]] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path | None:
        if not is_bundle_name(name):
            return None
        return self.directory / name

    @staticmethod
    def _key(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)

    def _cached(self, name: str, key: tuple[int, int, int, int]) -> str | None:
        with self._lock:
            cached = self._etags.get(name)
        return cached[1] if cached is not None and cached[0] == key else None

    def open(self, name: str) -> Snapshot | None:
        """The bundle's current content (an open file) and ETag, or None if there is no such
        bundle: no such name, not a regular file, or a symbolic link."""
        path = self._path(name)
        if path is None:
            return None
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError:  # missing, a symlink (ELOOP), unreadable, a FIFO without a writer
            return None
        f = os.fdopen(fd, "rb")
        try:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                f.close()
                return None
            key = self._key(st)
            etag = self._cached(name, key)
            if etag is None:
                digest = hashlib.sha256()
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                etag = '"' + digest.hexdigest()[:32] + '"'
                f.seek(0)
                with self._lock:
                    self._etags[name] = (key, etag)
            return Snapshot(name, f, st.st_size, etag)
        except BaseException:
            f.close()
            raise

    def etag(self, name: str) -> str | None:
        """The current ETag (cheap when the file did not change since it was last read)."""
        path = self._path(name)
        if path is None:
            return None
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        etag = self._cached(name, self._key(st))
        if etag is not None:
            return etag
        snapshot = self.open(name)
        if snapshot is None:
            return None
        snapshot.close()
        return snapshot.etag

    def names(self) -> list[str]:
        """The bundle files served: regular files (not symlinks) with a bundle name."""
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return []
        return sorted(
            e.name for e in entries if is_bundle_name(e.name) and e.is_file(follow_symlinks=False)
        )


def publish(
    bundle: str | os.PathLike[str],
    directory: str | os.PathLike[str],
    name: str | None = None,
) -> Path:
    """Copy a built bundle into the served folder atomically; return its served path."""
    src = Path(bundle)
    target_name = name or src.name
    if not is_bundle_name(target_name):
        raise BundleServerError(
            f"{target_name!r} is not a bundle name (letters, digits, ._-, ending in .tar.gz)"
        )
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target_name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as dst, src.open("rb") as s:
            shutil.copyfileobj(s, dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / target_name)
    except OSError as exc:
        raise BundleServerError(f"cannot publish {src} to {folder}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return folder / target_name


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def _wait_seconds(prefer: str | None, cap: int) -> int:
    match = _WAIT.search(prefer or "")
    return min(int(match.group(1)), cap) if match else 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    server_version = "pycognito-opa-bundle-server"
    sys_version = ""

    def _name(self) -> str | None:
        parts = unquote(urlsplit(self.path).path).split("/")
        if len(parts) == 3 and parts[0] == "" and parts[1] == PREFIX:
            return parts[2]
        return None

    def _send(
        self,
        status: HTTPStatus,
        body: bytes = b"",
        etag: str | None = None,
        ctype: str = "",
        snapshot: Snapshot | None = None,
    ) -> None:
        self.server.count(status)
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(snapshot.size if snapshot else len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if snapshot is not None:
            left = snapshot.size
            while left > 0 and (chunk := snapshot.file.read(min(CHUNK, left))):
                self.wfile.write(chunk)
                left -= len(chunk)
        elif body:
            self.wfile.write(body)

    def _not_found(self) -> None:
        message = (
            b"no such bundle: GET /" + PREFIX.encode() + b"/NAME.tar.gz of a bundle file of the "
            b"folder (a regular file, not a symbolic link)\n"
        )
        self._send(HTTPStatus.NOT_FOUND, message, ctype="text/plain")

    def do_GET(self) -> None:
        name = self._name()
        store = self.server.store
        if name is None:
            self._not_found()
            return
        known = _etags(self.headers.get("If-None-Match"))
        current = store.etag(name)
        if current is None:
            self._not_found()
            return
        if current in known or "*" in known:
            wait = _wait_seconds(self.headers.get("Prefer"), self.server.max_wait)
            current = self.server.wait_for_change(name, current, wait)
            if current is None:
                self._not_found()
                return
            if current in known or "*" in known:
                self._send(HTTPStatus.NOT_MODIFIED, etag=current, ctype=BUNDLE_CONTENT_TYPE)
                return
        snapshot = store.open(name)
        if snapshot is None:
            self._not_found()
            return
        try:
            # This content type tells OPA that the server supports long polling.
            self._send(
                HTTPStatus.OK, etag=snapshot.etag, ctype=BUNDLE_CONTENT_TYPE, snapshot=snapshot
            )
        finally:
            snapshot.close()

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, addr: tuple[str, int], store: BundleStore, max_wait: int, verbose: bool
    ) -> None:
        super().__init__(addr, _Handler)
        self.store = store
        self.max_wait = max_wait
        self.verbose = verbose
        self.stopping = threading.Event()
        self.responses: Counter[int] = Counter()
        self._count_lock = threading.Lock()

    def count(self, status: HTTPStatus) -> None:
        with self._count_lock:
            self.responses[int(status)] += 1

    def wait_for_change(self, name: str, etag: str, wait: float) -> str | None:
        """Hold a long poll until the bundle's ETag is no longer `etag`, `wait` seconds pass or
        the server stops; return the ETag then current (None if the bundle was removed)."""
        deadline = time.monotonic() + wait
        while True:
            current = self.store.etag(name)
            if current != etag:
                return current
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.stopping.wait(min(POLL_INTERVAL, remaining)):
                return current


class BundleServer:
    """Serves a folder of bundles over OPA's bundle service protocol, in a background thread.

    Use it as a context manager (`with BundleServer(folder) as server: server.url`): it
    listens when entered (errors such as a port in use are raised there) and stops on exit.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_wait: int = MAX_WAIT_SECONDS,
        verbose: bool = False,
    ) -> None:
        self.store = BundleStore(directory)
        self.host = host
        self.port = port
        self.max_wait = max_wait
        self.verbose = verbose
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _bind(self) -> _HTTPServer:
        if not self.store.directory.is_dir():
            raise BundleServerError(
                f"{self.store.directory} is not a folder: create it and build bundles into it "
                "(pycognito-opa bundle build --out FOLDER/NAME.tar.gz)"
            )
        try:
            server = _HTTPServer((self.host, self.port), self.store, self.max_wait, self.verbose)
        except OSError as exc:
            raise BundleServerError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from exc
        self.port = int(server.server_address[1])
        return server

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bundle_url(self, name: str) -> str:
        return f"{self.url}/{PREFIX}/{name}"

    @property
    def responses(self) -> Counter[int]:
        """How many responses of each HTTP status the server sent so far."""
        if self._server is None:
            return Counter()
        with self._server._count_lock:
            return Counter(self._server.responses)

    def start(self) -> BundleServer:
        if self._server is not None:
            return self
        self._server = self._bind()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"bundle-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def _close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stopping.set()
            server.server_close()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is not None:
            server.stopping.set()
            server.shutdown()
        if thread is not None:
            thread.join(timeout=10)
            self._thread = None
        self._close()

    def __enter__(self) -> BundleServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
