"""Frame images from the PNG bytes stored in the lake's `frames` table, as full images
and as thumbnails, with an LRU in the server and long-lived HTTP caching in the browser.

A frame_id is a content hash of the frame's pixels (store.ids.frame_id), so the bytes
behind a URL never change: the response says so (`immutable`), and a browser that asks
again with the ETag gets a 304 without a read of the lake.
"""

import io
from functools import lru_cache

import polars as pl
from PIL import Image
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

CACHED_IMAGES = 1024  # thumbnails of ~20 pages of 50 rows with 3 frames; a few MB of PNGs
THUMB_PX = 160  # widest a thumbnail is drawn; full images are served as stored
CACHE_CONTROL = "public, max-age=31536000, immutable"


class FrameCache:
    """PNG bytes per (frame_id, width), read from the lake once and kept in an LRU."""

    def __init__(self, lake):
        self.lake = lake
        self.png = lru_cache(maxsize=CACHED_IMAGES)(self._read)

    def _read(self, frame_id: str, width: int | None) -> bytes | None:
        """The frame's PNG, shrunk to `width` px wide when it is wider (None: as stored);
        None when no frame has that id."""
        found = self.lake.scan("frames").filter(pl.col("frame_id") == frame_id).select("image").collect()
        if found.is_empty():
            return None
        png = found["image"][0]
        if width is None:
            return png
        image = Image.open(io.BytesIO(png))
        if image.width <= width:
            return png  # small frames are scaled up by the browser (CSS pixelated), not here
        image.thumbnail((width, width * image.height // image.width))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


def frame(request: Request) -> Response:
    """GET /frame/{frame_id}.png[?thumb=1]: the stored PNG, or a thumbnail of it."""
    frame_id = request.path_params["frame_id"]
    width = THUMB_PX if request.query_params.get("thumb") else None
    etag = f'"{frame_id}-{width or "full"}"'
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    png = request.app.state.frames.png(frame_id, width)
    if png is None:
        raise HTTPException(404, f"no frame with id {frame_id!r} in lake {request.app.state.uri}")
    return Response(png, media_type="image/png", headers=headers)
