"""Compact text descriptions of a scene for a model-as-proposer prompt.

One line per category: count, and for up to `max_boxes` boxes the centroid and edge
lengths in metres (2 decimals), in the scene's frame (+z up).
"""

from curation.scenes.metadata import Scene


def describe_scene(scene: Scene, *, max_boxes: int = 3) -> str:
    lines = [f"room_size: {scene.room_size:.1f} m^2; room_center: {[round(v, 2) for v in scene.room_center]}"]
    by_category = scene.boxes_by_category()
    for category in sorted(set(by_category) | set(scene.object_counts)):
        boxes = by_category.get(category, [])
        shown = "; ".join(
            f"centroid {[round(v, 2) for v in b.centroid]} size {[round(v, 2) for v in b.axes_lengths]}"
            for b in boxes[:max_boxes]
        )
        more = f"; +{len(boxes) - max_boxes} more" if len(boxes) > max_boxes else ""
        lines.append(f"- {category}: count {scene.object_counts.get(category, len(boxes))}; {shown}{more}")
    return "\n".join(lines)
