"""Pure logic shared by client, UI and engine: no I/O, no Qt, no HTTP."""
