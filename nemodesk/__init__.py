"""NemoDesk: original, royalty-free music for a creator's video."""

__version__ = "0.1.0"
APP_NAME = "NemoDesk"
APP_ID = "ai.nemovideo.nemodesk"  # bundle id / desktop file id, one spelling everywhere
APP_PUBLISHER = "NemoDesk"
APP_DESCRIPTION = "Original, royalty-free music for your video"
