"""The desktop app: Qt widgets that talk to the API client and core, never to the engine."""
