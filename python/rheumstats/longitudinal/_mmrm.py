"""rs.longitudinal.mmrm (filled in by its issue)."""

__all__: list = []
