"""The language server (``auditor lsp``): findings, hovers and quick fixes in the editor.

pygls is an optional dependency (the ``lsp`` extra); ``serve`` says so in one line when it is
missing. ``server`` wires the LSP features, ``state`` keeps one unit per workspace document,
``analysis`` is the seam to the audit stages, and ``diagnostics``, ``hover`` and ``actions``
turn findings and claims into LSP messages.
"""

from __future__ import annotations

from ..errors import AuditorError

MISSING = "the language server needs pygls; install it with: pip install 'auditor[lsp]'"


def serve(cache: bool = True, cache_dir: str | None = None) -> None:
    """Run the language server on stdin/stdout until the client says exit.

    ``cache``/``cache_dir``: saved files' results in the claim cache, as for ``auditor check``.
    """
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        raise AuditorError(MISSING) from None
    from .server import server

    server.state.cache, server.state.cache_dir = cache, cache_dir
    server.start_io()
