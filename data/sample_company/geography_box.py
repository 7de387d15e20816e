"""Bounding box of the service area (Tampa Bay); every generated coordinate lies inside it."""

BBOX_LAT = (27.70, 28.30)
BBOX_LON = (-82.75, -82.05)
