"""Publishing bundles through an OCI registry, the way a fleet gets them at scale.

`push_bundle` uploads a built (and usually signed) bundle as an OCI artefact with the OCI
distribution API: two blobs (an empty image config and the bundle tarball, each with a
monolithic upload, POST then PUT) and an image manifest PUT under a tag. The bundle is the
layer of media type `application/vnd.oci.image.layer.v1.tar+gzip`: the one layer type OPA's
OCI downloader takes (`bundleLayer` in OPA's download/oci_download.go). OPA then pulls it
itself (`services.NAME.type: oci`; see `config.opa_config`) and verifies its signature.

A registry reference is written `oci://HOST[:PORT]/REPOSITORY:TAG`. The registry is reached
over https; plain http only when asked for (`plain_http`, the `--plain-http` option) and only
for a loopback registry (127.0.0.0/8, ::1, localhost).

Every HTTP call has a timeout, redirects are not followed, a registry's answers are read up to
`MAX_RESPONSE_BYTES`, and the bundle pushed is at most `MAX_PUSH_BYTES`. The bytes pushed are
the bytes that were checked: the file is read once, and OPA inspects (and, with a verification
key, verifies) a private copy of those bytes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from ..bundle import DEFAULT_KEY_ID, DEFAULT_SIGNING_ALG, inspect_bundle, verify_bundle
from ..errors import (
    BundleError,
    BundleRejectedError,
    InputFileError,
    RegistryError,
    SignatureError,
)

OCI_SCHEME = "oci"
MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json"
# The layer media type OPA's OCI downloader looks for (ocispec.MediaTypeImageLayerGzip).
LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip"
CONFIG_BLOB = b"{}"
TITLE_ANNOTATION = "org.opencontainers.image.title"
BUNDLE_TITLE = "bundle.tar.gz"

MAX_PUSH_BYTES = 128 * 1024 * 1024
MAX_RESPONSE_BYTES = 64 * 1024
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0

# The distribution spec's grammar for repository names and tags.
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$")
MAX_NAME_LENGTH = 255
REFERENCE_FORM = "oci://HOST[:PORT]/REPOSITORY:TAG"


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_oci_url(url: str) -> bool:
    return urlsplit(url).scheme == OCI_SCHEME


@dataclass(frozen=True)
class OciReference:
    """A tag in a registry: `oci://HOST[:PORT]/REPOSITORY:TAG`."""

    registry: str  # HOST[:PORT], an IPv6 host in brackets
    repository: str
    tag: str
    plain_http: bool = False

    @property
    def service_url(self) -> str:
        """The registry's URL, as OPA's `services.NAME.url` takes it."""
        return f"{'http' if self.plain_http else 'https'}://{self.registry}"

    @property
    def resource(self) -> str:
        """`HOST[:PORT]/REPOSITORY:TAG`, as OPA's `bundles.NAME.resource` takes it."""
        return f"{self.registry}/{self.repository}:{self.tag}"

    def __str__(self) -> str:
        return f"{OCI_SCHEME}://{self.resource}"


def parse_oci_url(url: str, *, plain_http: bool = False) -> OciReference:
    """The registry, repository and tag of an `oci://` URL; InputFileError (exit 2) when the
    URL is not one, or asks for plain http to a registry that is not on loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme != OCI_SCHEME or not parts.netloc:
        raise InputFileError(url, f"a registry reference is {REFERENCE_FORM}")
    if "@" in parts.netloc:
        raise InputFileError(url, "credentials do not belong in a registry reference")
    if parts.query or parts.fragment:
        raise InputFileError(url, f"a registry reference has no ? or #: {REFERENCE_FORM}")
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:
        raise InputFileError(url, "the registry's port is not a number from 1 to 65535") from None
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise InputFileError(url, "the registry's host is not a valid address") from None
    elif not _HOSTNAME.match(host):
        raise InputFileError(url, "the registry's host is not a valid host name or address")
    if port == 0:
        raise InputFileError(url, "the registry's port is not a number from 1 to 65535")
    path = parts.path.lstrip("/")
    if "@" in path:
        raise InputFileError(url, f"name a tag, not a digest: {REFERENCE_FORM}")
    repository, sep, tag = path.rpartition(":")
    if not sep or not repository:
        raise InputFileError(url, f"the reference has no tag: {REFERENCE_FORM}")
    if not _REPOSITORY.match(repository) or len(repository) > MAX_NAME_LENGTH:
        raise InputFileError(
            url,
            "a repository name is lowercase letters and digits, separated by '.', '_', '-' "
            "or '/' (such as policies/cognito)",
        )
    if not _TAG.match(tag):
        raise InputFileError(
            url, "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with . or -"
        )
    if plain_http and not is_loopback_host(host):
        raise InputFileError(
            url,
            "plain http is allowed only for a registry on loopback (127.0.0.0/8, ::1, "
            "localhost): use https (leave out --plain-http)",
        )
    registry = f"[{host}]" if ":" in host else host
    if port is not None:
        registry += f":{port}"
    return OciReference(registry, repository, tag, plain_http)


@dataclass(frozen=True)
class PushResult:
    """What was pushed where: the tag now names manifest `digest`, whose layer is the bundle."""

    reference: str  # HOST[:PORT]/REPOSITORY:TAG
    digest: str  # of the manifest
    layer_digest: str  # of the bundle (OPA's ETag for it is the hex part)
    size: int
    revision: str
    signed: bool
    verified: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_manifest(bundle: bytes) -> bytes:
    """The OCI image manifest of a bundle: one gzip tar layer, as OPA pulls it. The same
    bundle always gives the same manifest (and digest), so a push can be repeated."""
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": CONFIG_MEDIA_TYPE,
            "digest": _digest(CONFIG_BLOB),
            "size": len(CONFIG_BLOB),
        },
        "layers": [
            {
                "mediaType": LAYER_MEDIA_TYPE,
                "digest": _digest(bundle),
                "size": len(bundle),
                "annotations": {TITLE_ANNOTATION: BUNDLE_TITLE},
            }
        ],
    }
    return json.dumps(manifest, separators=(",", ":"), sort_keys=True).encode()


def read_bundle_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_PUSH_BYTES) -> bytes:
    """A bundle file's bytes, refused (exit 2) when missing or larger than `max_bytes`."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise InputFileError(p, "not a file: give a bundle built by pycognito-opa bundle build")
        if size > max_bytes:
            raise InputFileError(p, f"the bundle has {size} bytes, more than {max_bytes} allowed")
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputFileError(
            p, "bundle not found (build one: pycognito-opa bundle build)"
        ) from None
    except OSError as exc:
        raise InputFileError(p, f"cannot read the bundle: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise InputFileError(p, f"the bundle grew past {max_bytes} bytes while it was read")
    return data


class _Registry:
    """HTTP to one registry repository: timeouts, no redirects, answers read with a cap."""

    def __init__(self, ref: OciReference, timeout: tuple[float, float]) -> None:
        self.ref = ref
        self.base = f"{ref.service_url}/v2/{ref.repository}/"
        self.timeout = timeout
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...],
        what: str,
    ) -> requests.Response:
        try:
            resp = self.session.request(
                method,
                url,
                data=data,
                headers=dict(headers or {}),
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            hint = ""
            if isinstance(exc, requests.exceptions.SSLError):
                host = urlsplit(self.ref.service_url).hostname or ""
                hint = (
                    " (a registry on loopback without TLS: add --plain-http)"
                    if is_loopback_host(host)
                    else " (is its certificate trusted? REQUESTS_CA_BUNDLE names a CA file)"
                )
            raise RegistryError(
                f"cannot reach the registry {self.ref.service_url} ({what}): {exc}{hint}"
            ) from exc
        with resp:
            body = _read_capped(resp)
        if resp.status_code not in expect:
            raise RegistryError(
                f"the registry {self.ref.service_url} refused {what}: "
                f"{resp.status_code} {_registry_message(body, resp.status_code)}"
            )
        return resp

    def upload_location(self, location: str | None) -> str:
        """The upload URL the registry named, if it may be trusted with the bytes."""
        if not location:
            raise RegistryError(f"the registry {self.ref.service_url} named no upload location")
        url = urljoin(self.base, location)
        parts = urlsplit(url)
        registry = urlsplit(self.ref.service_url)
        same = (parts.scheme, parts.netloc) == (registry.scheme, registry.netloc)
        if not same and parts.scheme != "https":
            raise RegistryError(
                f"the registry {self.ref.service_url} sent the upload to {parts.scheme}://"
                f"{parts.netloc}: only https, or the registry itself, is accepted"
            )
        return url

    def push_blob(self, data: bytes, what: str) -> str:
        digest = _digest(data)
        head = self.call("HEAD", f"{self.base}blobs/{digest}", expect=(200, 404), what=what)
        if head.status_code == 200:
            return digest
        started = self.call(
            "POST",
            f"{self.base}blobs/uploads/",
            headers={"Content-Length": "0"},
            expect=(202,),
            what=f"starting the upload of {what}",
        )
        url = self.upload_location(started.headers.get("Location"))
        parts = urlsplit(url)
        query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("digest", digest)])
        self.call(
            "PUT",
            urlunsplit(parts._replace(query=query)),
            data=data,
            headers={"Content-Type": "application/octet-stream"},
            expect=(201,),
            what=f"the upload of {what}",
        )
        return digest

    def push_manifest(self, manifest: bytes) -> str:
        digest = _digest(manifest)
        url = f"{self.base}manifests/{self.ref.tag}"
        put = self.call(
            "PUT",
            url,
            data=manifest,
            headers={"Content-Type": MANIFEST_MEDIA_TYPE},
            expect=(201,),
            what=f"the manifest of {self.ref.resource}",
        )
        answered = put.headers.get("Docker-Content-Digest")
        if answered and answered != digest:
            raise RegistryError(
                f"the registry stored the manifest as {answered}, but its digest is {digest}"
            )
        # The tag now names what was pushed (read back, as a puller resolves it).
        head = self.call(
            "HEAD",
            url,
            headers={"Accept": MANIFEST_MEDIA_TYPE},
            expect=(200,),
            what=f"reading back {self.ref.resource}",
        )
        tagged = head.headers.get("Docker-Content-Digest")
        if tagged != digest:
            raise RegistryError(
                f"{self.ref.resource} names {tagged or 'no digest'} after the push, not {digest}"
            )
        return digest


def _read_capped(resp: requests.Response, cap: int = MAX_RESPONSE_BYTES) -> bytes:
    """At most `cap` bytes of an answer's body (the rest is never read)."""
    out = bytearray()
    try:
        for chunk in resp.iter_content(chunk_size=8192):
            out += chunk
            if len(out) >= cap:
                break
    except requests.RequestException as exc:
        raise RegistryError(f"the registry's answer broke off: {exc}") from exc
    return bytes(out[:cap])


def _registry_message(body: bytes, status: int) -> str:
    """The registry's error (the distribution spec's `errors` list), short."""
    hint = {
        401: " (the registry wants credentials, which bundle push does not send yet: push "
        "this bundle file with oras, as the README shows)",
        403: " (the registry refused access to this repository)",
    }.get(status, "")
    try:
        errors = json.loads(body).get("errors")
        text = "; ".join(f"{e.get('code', '')}: {e.get('message', '')}" for e in errors[:5])
    except (ValueError, AttributeError, TypeError, RecursionError):
        text = body.decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    return (text[:300] or "no reason given") + hint


def upload_bundle(
    data: bytes,
    ref: OciReference,
    *,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
) -> tuple[str, str]:
    """Upload bundle bytes as an OCI image tagged `ref`: the digests of its manifest and of
    its bundle layer. The bytes are not checked here: `push_bundle` checks them first."""
    registry = _Registry(ref, timeout)
    try:
        registry.push_blob(CONFIG_BLOB, "the image config")
        layer = registry.push_blob(data, f"the bundle ({len(data)} bytes)")
        return registry.push_manifest(image_manifest(data)), layer
    finally:
        registry.close()


def push_bundle(
    bundle: str | os.PathLike[str],
    url: str,
    *,
    plain_http: bool = False,
    verification_key: str | os.PathLike[str] | None = None,
    key_id: str = DEFAULT_KEY_ID,
    signing_alg: str = DEFAULT_SIGNING_ALG,
    max_bytes: int = MAX_PUSH_BYTES,
    timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    opa: str | os.PathLike[str] | None = None,
) -> PushResult:
    """Push a built bundle to `oci://HOST/REPOSITORY:TAG`. OPA inspects it first (it must be
    a bundle); with a verification key, OPA also verifies its signature, and nothing is pushed
    when it does not verify (BundleRejectedError)."""
    ref = parse_oci_url(url, plain_http=plain_http)
    data = read_bundle_bytes(bundle, max_bytes)
    with tempfile.TemporaryDirectory(prefix="pycognito-opa-push-") as tmp:
        copy = Path(tmp) / "bundle.tar.gz"
        copy.write_bytes(data)
        try:
            report = inspect_bundle(copy, opa=opa)
        except InputFileError as exc:  # OPA refused the file (the copy's name left out)
            raise InputFileError(bundle, f"not a bundle: {exc.reason}") from exc
        except BundleError as exc:
            raise InputFileError(bundle, f"not a bundle: {exc}") from exc
        if verification_key is not None:
            try:
                verify_bundle(
                    copy, verification_key, key_id=key_id, signing_alg=signing_alg, opa=opa
                )
            except SignatureError as exc:
                raise BundleRejectedError(f"{bundle}: nothing pushed: {exc}") from exc
    digest, layer = upload_bundle(data, ref, timeout=timeout)
    return PushResult(
        reference=ref.resource,
        digest=digest,
        layer_digest=layer,
        size=len(data),
        revision=report.revision,
        signed=report.signed,
        verified=verification_key is not None,
    )
