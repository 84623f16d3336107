"""The evidence: a partnership's area (local authorities, wards, LSOAs) and the crime counts read from police.uk."""
