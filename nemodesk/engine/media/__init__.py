"""Video and audio files through PyAV: probing, scene cuts, export."""
