"""The local engine: music generation, media handling and the HTTP server."""
