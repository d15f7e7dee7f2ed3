"""NemoDesk: original, royalty-free music for a creator's video."""

__version__ = "0.1.0"
APP_NAME = "NemoDesk"
