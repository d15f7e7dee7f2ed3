"""The asyncio client of the NemoVideo API (cloud and local engine)."""
