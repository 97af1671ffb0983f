"""One module per CLI verb group; ouroboros.cli mounts them."""
