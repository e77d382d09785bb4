"""Synthetic quarry and haul-road scenes (合成场景) for training and testing the vision pipeline.

Drawn with numpy and OpenCV from a seed: no assets, no downloads, the same pixels on every run.

- ``terrain``: fixed-camera backdrops (quarry, damaged hillside, haul road) and their layouts.
- ``actors``: excavator, loader, drill rig, dump truck and person as polygons with exact extents.
- ``weather``: day/dusk/night light, lamps, rain, dust, sensor noise, blur and compression.
- ``scene``: one frame with its boxes (``compose``, ``random_scene``).
- ``dataset``: an ultralytics YOLO data set of random scenes with a held-out split.
- ``clips``, ``staging``, ``tamper``: scripted H.264 clips with per-frame ground truth.
- ``expectations``, ``scenarios``: ready-made clips and what a correct pipeline reports for each.
"""
