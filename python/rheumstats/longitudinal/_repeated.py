"""rs.longitudinal.repeated (filled in by its issue)."""

__all__: list = []
