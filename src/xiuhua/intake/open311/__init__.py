"""Open311 GeoReport v2 at /open311/v2/: services are the event classes, service requests are cases."""
