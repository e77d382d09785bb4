"""Cameras of the site registry as they run (摄像头运行状态): liveness reports and the health board."""
