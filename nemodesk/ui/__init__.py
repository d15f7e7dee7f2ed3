"""The Qt desktop app."""
