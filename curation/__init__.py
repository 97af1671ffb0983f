"""Scenes, frames, the proposer, the sandboxed executor, filters and selection."""
