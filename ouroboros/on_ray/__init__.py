"""The `ray` engine (params curation.engine): curation's own functions as Ray Data transforms.

Imported only when the engine is `ray`, so the package imports without Ray. `cluster` joins
Ray; `curate` executes and filters proposals over shards of scenes; `render` draws frames a
task per scene; `embed` runs the vision tower as an actor pool. The driver proposes,
decides and writes the lake, so every table is still one Lance commit of the driver's.
"""
