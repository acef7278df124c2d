"""The HTTP API (design section 10): Starlette on uvicorn, over the same App as the CLI and GUI.

Errors: ``PortInUse`` (the address is taken), ``ServerConfigError`` (a setting refused at start).
"""
