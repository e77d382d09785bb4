"""Evaluation suite (评测套件): footage nobody trained on, and how the pipeline does on it.

``world`` renders scenes with a generator of its own (not ``vision.synth``), ``scenes`` lists what
happens in each and what a correct pipeline reports, ``run`` feeds them through a camera pipeline and
scores recall, false alarms per camera-hour and latency, ``report`` sums scores into the table that
``bench/vision_evaluation.py`` prints and ``tests/vision/evaluation`` holds to thresholds.
"""
