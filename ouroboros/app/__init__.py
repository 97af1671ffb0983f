"""`ouro app`: a local, read-only web app over the lake (docs/app.md).

One module per page (rows, row, scene, rounds, diff), the frame images, the SVG drawings,
and `server`, which puts them behind Starlette routes. Every route is a GET; nothing here
writes to the lake.
"""
