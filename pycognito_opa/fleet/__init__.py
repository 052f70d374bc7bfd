"""Running a fleet: the hardened decision sidecar, OPA configuration for sidecars that pull
signed bundles, their status, publishing bundles to an OCI registry, and a development bundle
server."""

from ..errors import RegistryError
from .config import FleetConfig, SidecarStatus, fleet_status, opa_config, sidecar_status
from .registry import OciReference, PushResult, parse_oci_url, push_bundle
from .server import BundleServer
from .sidecar import HardenedSidecar, ServeOptions

__all__ = [
    "BundleServer",
    "FleetConfig",
    "HardenedSidecar",
    "OciReference",
    "PushResult",
    "RegistryError",
    "ServeOptions",
    "SidecarStatus",
    "fleet_status",
    "opa_config",
    "parse_oci_url",
    "push_bundle",
    "sidecar_status",
]
