"""Places on maps: the gazetteer's points and movements (GeoJSON, Linked Places), the base map drawn on the server from
Natural Earth, map views, WKT points from query results."""
