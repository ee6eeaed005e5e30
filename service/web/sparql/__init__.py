"""The SPARQL 1.1 Protocol side of the web app: the endpoint, its Flask-free fast path for plain GETs, the service
description and VoID."""
