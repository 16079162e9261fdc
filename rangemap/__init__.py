"""rangemap: true geodesic range areas around basing sites, what they cover, and maps of them."""

__version__ = "0.1.0"
