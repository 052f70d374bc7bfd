"""Running a fleet: the hardened decision sidecar, OPA configuration for sidecars that pull
signed bundles, their status, and a development bundle server."""

from .config import FleetConfig, SidecarStatus, fleet_status, opa_config, sidecar_status
from .server import BundleServer
from .sidecar import HardenedSidecar, ServeOptions

__all__ = [
    "BundleServer",
    "FleetConfig",
    "HardenedSidecar",
    "ServeOptions",
    "SidecarStatus",
    "fleet_status",
    "opa_config",
    "sidecar_status",
]
