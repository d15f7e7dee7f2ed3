"""The asyncio client of the NemoVideo API (cloud and local engine).

This is the client's public surface: the UI imports only what is listed in ``__all__``
(``from nemodesk.client import NemoClient, …``), never a submodule, and never builds a URL
or touches the HTTP connection — ``NemoClient`` has a method for each thing the app does.
The submodules stay importable for the client's own tests and the ``make`` command.
"""

from nemodesk.client.api import DEFAULT_API_URL
from nemodesk.client.client import NemoClient
from nemodesk.client.config import ClientConfig
from nemodesk.client.errors import (
    ConnectionLost,
    DiskFull,
    DuplicateRender,
    ExportLocked,
    FileTooLarge,
    MissingClientId,
    NemoError,
    NoCredits,
    RateLimited,
    RenderFailed,
    RenderTimeout,
    ServerError,
    SessionLost,
    StreamTimeout,
    TokenExpired,
    UnsupportedFile,
)
from nemodesk.client.local_engine import EngineStartError, LocalEngine
from nemodesk.client.models import (
    Credits,
    Progress,
    RenderStatus,
    Session,
    SessionState,
    UploadedFile,
)
from nemodesk.client.sse import ChatEvent, ChatOutcome

__all__ = [
    "DEFAULT_API_URL",
    "ChatEvent",
    "ChatOutcome",
    "ClientConfig",
    "ConnectionLost",
    "Credits",
    "DiskFull",
    "DuplicateRender",
    "EngineStartError",
    "ExportLocked",
    "FileTooLarge",
    "LocalEngine",
    "MissingClientId",
    "NemoClient",
    "NemoError",
    "NoCredits",
    "Progress",
    "RateLimited",
    "RenderFailed",
    "RenderStatus",
    "RenderTimeout",
    "ServerError",
    "Session",
    "SessionLost",
    "SessionState",
    "StreamTimeout",
    "TokenExpired",
    "UnsupportedFile",
    "UploadedFile",
]
