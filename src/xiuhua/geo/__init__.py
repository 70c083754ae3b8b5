"""Geometry helpers: coordinate systems, point-in-grid lookup, polygon validation and GeoJSON."""
