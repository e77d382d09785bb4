"""Synthetic quarry and haul-road scenes (合成场景) for training and testing the vision pipeline.

``scene`` renders still images with exact boxes, ``dataset`` writes an ultralytics YOLO data set of
them, ``clips`` writes scripted H.264 clips with per-frame ground truth, and ``scenarios`` holds the
ready-made scripts the pipeline tests and benchmark use. Everything is drawn with numpy and OpenCV
from a seed: no assets, no downloads, the same pixels on every run.
"""
