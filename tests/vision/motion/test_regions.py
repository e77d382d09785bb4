from vision.config import RegionConfig
from vision.motion import plan_regions
from vision.types import Box

ASPECT = 16 / 9


def test_a_small_box_becomes_a_square_crop_around_it() -> None:
    crops = plan_regions([Box(0.5, 0.5, 0.55, 0.58)], aspect=ASPECT, config=RegionConfig())
    assert crops is not None and len(crops) == 1
    crop = crops[0]
    assert crop.x1 <= 0.5 and crop.x2 >= 0.55 and crop.y1 <= 0.5 and crop.y2 >= 0.58
    assert abs(crop.width * ASPECT - crop.height) < 1e-9  # square in pixels


def test_overlapping_crops_merge_and_stay_inside_the_frame() -> None:
    crops = plan_regions([Box(0.9, 0.9, 0.95, 0.98), Box(0.92, 0.85, 0.99, 0.95)], aspect=ASPECT, config=RegionConfig())
    assert crops is not None and len(crops) == 1
    assert crops[0].x2 <= 1.0 and crops[0].y2 <= 1.0


def test_far_apart_objects_get_their_own_crops() -> None:
    crops = plan_regions([Box(0.05, 0.1, 0.1, 0.2), Box(0.8, 0.7, 0.85, 0.8)], aspect=ASPECT, config=RegionConfig())
    assert crops is not None and len(crops) == 2


def test_too_many_or_too_large_means_the_whole_frame() -> None:
    many = [Box(x, 0.1, x + 0.02, 0.13) for x in (0.05, 0.3, 0.55, 0.8)] + [Box(0.4, 0.8, 0.42, 0.83)]
    assert plan_regions(many, aspect=ASPECT, config=RegionConfig()) is None
    assert plan_regions([Box(0.1, 0.1, 0.9, 0.9)], aspect=ASPECT, config=RegionConfig()) is None
