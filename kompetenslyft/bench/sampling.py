"""How many times the bench samples a figure: the full count at size, a few in a quick run.

A run on a small organisation (the suite's, which only holds that every operation runs and
prints its figure) sets ``QUICK``; its figures are not the issues' business."""

QUICK = False


def count(wanted: int) -> int:
    return min(wanted, max(2, wanted // 5)) if QUICK else wanted
