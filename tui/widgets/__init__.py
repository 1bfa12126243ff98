"""The dashboard's widgets, one concept a module."""
