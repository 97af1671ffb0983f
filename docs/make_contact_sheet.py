"""Regenerate docs/frames.png: rendered walks through procedural and real VSI-Bench rooms.

Each row is one scene's walk, frames left to right in time; the last two rows repeat
one ScanNet walk as depth (near = bright) and as the instance mask (one colour per box,
black for floor, walls and ceiling), to check occlusion by eye.

    python docs/make_contact_sheet.py [--out docs/frames.png]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from curation.scenes.camera import walkthrough  # noqa: E402
from curation.scenes.metadata import load_vsibench_meta  # noqa: E402
from curation.scenes.procedural import generate_scene  # noqa: E402
from curation.scenes.render import render_path  # noqa: E402

META = ROOT / ".." / "shared" / "data" / "vsibench_meta"
N_FRAMES, SIZE, LABEL = 8, 112, 14


def _scenes():
    scenes = [generate_scene(1), generate_scene(8, n_objects=30, clutter=0.8)]
    for name in ("scannet", "scannetpp"):
        path = META / f"{name}_meta_info_val.json"
        if path.is_file():
            scenes.append(load_vsibench_meta(path)[0])
        else:
            print(f"note: {path} not found; the sheet shows procedural rooms only", file=sys.stderr)
    return scenes


def _depth_image(depth: np.ndarray) -> np.ndarray:
    grey = (255 * np.clip(1 - depth / 8.0, 0, 1)).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def _mask_image(instance: np.ndarray) -> np.ndarray:
    palette = np.random.default_rng(0).integers(60, 256, (max(int(instance.max()) + 2, 2), 3)).astype(np.uint8)
    palette[0] = 0  # index -1 + 1: room surfaces
    return palette[instance + 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "frames.png")
    args = parser.parse_args()
    rows: list[tuple[str, list[np.ndarray]]] = []
    for scene in _scenes():
        frames = render_path(scene, walkthrough(scene, N_FRAMES, width=SIZE, height=SIZE))
        rows.append((f"{scene.source} {scene.name}: {len(scene.boxes)} objects, {scene.room_size:.0f} m2",
                     [f.rgb for f in frames]))
        if scene.source == "scannet":
            rows.append((f"{scene.name} depth", [_depth_image(f.depth) for f in frames]))
            rows.append((f"{scene.name} instance mask", [_mask_image(f.instance) for f in frames]))
    sheet = Image.new("RGB", (N_FRAMES * SIZE, len(rows) * (SIZE + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, (label, images) in enumerate(rows):
        top = r * (SIZE + LABEL)
        draw.text((4, top + 1), label, fill="black")
        for c, image in enumerate(images):
            sheet.paste(Image.fromarray(image), (c * SIZE, top + LABEL))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB, {len(rows)} rows)")


if __name__ == "__main__":
    main()
