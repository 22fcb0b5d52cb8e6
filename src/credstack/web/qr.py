"""A QR code as an inline SVG ``data:`` URI, drawn on the server so the page needs no script.

The CSP already allows ``img-src data:``; an SVG in an ``<img>`` runs nothing, and the one we
write holds only rectangles (the same module matrix the PDF certificate draws).
"""

from __future__ import annotations

from base64 import b64encode

from credstack.vc.pdf import qr_matrix

__all__ = ["qr_data_uri"]


def qr_data_uri(text: str) -> str:
    matrix = qr_matrix(text)
    size = len(matrix)
    modules = "".join(
        f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{modules}" fill="#000"/></svg>'
    )
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()
